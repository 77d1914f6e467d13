import { FileImageOutlined } from '@ant-design/icons';
import { Button, Card, Col, Row, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Condition, FormDef, RecordItem, UploadedFile } from '../api/types.ts';
import { EmptyState, ErrorState, Loading } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { cellText, type CellContext } from '../renderer/cellText.ts';
import { cardTitle, titleField } from './recordTitle.ts';
import { useRecordList } from './useRecordList.ts';

/** Gallery 画廊: a card per record with its first image as the cover. */
export function GalleryView({ form, filter, sort, ctx, onOpen }: { form: FormDef; filter?: Condition; sort?: string; ctx: CellContext; onOpen: (r: RecordItem) => void }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const list = useRecordList(form.id, { filter, sort, pageSize: 60 });
  const imageField = form.fields.find((f) => f.type === 'image');
  const title = titleField(form);
  const extra = form.fields.filter((f) => f !== title && !['divider', 'description', 'query', 'subform', 'image', 'attachment', 'signature'].includes(f.type)).slice(0, 3);
  if (list.isLoading) return <Loading />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.rows.length) return <EmptyState />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }} data-testid="gallery">
      <Row gutter={[12, 12]}>
        {list.rows.map((record) => {
          const cover = imageField ? (record.data[imageField.id] as UploadedFile[] | undefined)?.[0] : undefined;
          return (
            <Col key={record.id} xs={24} sm={12} md={8} lg={6} xl={4}>
              <Card
                hoverable
                size="small"
                onClick={() => onOpen(record)}
                onKeyDown={(e) => e.key === 'Enter' && onOpen(record)}
                tabIndex={0}
                role="button"
                cover={
                  cover ? (
                    <img src={cover.url} alt={cover.name} style={{ height: 140, objectFit: 'cover' }} />
                  ) : (
                    <div style={{ height: 80, display: 'flex', alignItems: 'center', justifyContent: 'center', background: '#fafafa', color: '#ccc', fontSize: 28 }}>
                      <FileImageOutlined />
                    </div>
                  )
                }
              >
                <Typography.Text strong ellipsis>
                  {cardTitle(form, record, i18n.language, ctx)}
                </Typography.Text>
                {extra.map((f) => (
                  <div key={f.id} style={{ fontSize: 12, color: '#666', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
                    {l(f.label)}: {cellText(f, record.data[f.id], i18n.language, ctx)}
                  </div>
                ))}
              </Card>
            </Col>
          );
        })}
      </Row>
      {list.hasNextPage && (
        <Button block onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t('common.loadMore')}
        </Button>
      )}
    </Space>
  );
}
