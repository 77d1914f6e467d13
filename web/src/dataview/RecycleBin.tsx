import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App as AntApp, Button, Drawer, Popconfirm, Space, Table } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { FormDef, Page, RecordItem } from '../api/types.ts';
import { NO_DATA_TYPES } from '../fields/fieldTypes.ts';
import { ErrorState, errorMessage } from '../layout/States.tsx';
import { useLocalize } from '../lib/localize.ts';
import { cellText } from '../renderer/cellText.ts';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';

/** Recycle bin 回收站: deleted records, restorable with their history, or purged for good. */
export function RecycleBin({ form, open, onClose }: { form: FormDef; open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const { message } = AntApp.useApp();
  const queryClient = useQueryClient();
  const names = useOrgNames();
  const bin = useQuery({
    queryKey: ['forms', form.id, 'recycle-bin'],
    enabled: open,
    queryFn: ({ signal }) => api<Page<RecordItem>>('GET', `/forms/${form.id}/recycle-bin`, undefined, { signal }),
  });
  const refresh = () => {
    void bin.refetch();
    void queryClient.invalidateQueries({ queryKey: keys.records(form.id) });
  };
  const restore = async (id: string) => {
    try {
      await api('POST', `/forms/${form.id}/records/${id}/restore`);
      message.success(t('recycle.restored'));
      refresh();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };
  const purge = async (id: string) => {
    try {
      await api('DELETE', `/forms/${form.id}/recycle-bin/${id}`);
      refresh();
    } catch (err) {
      message.error(errorMessage(err, t));
    }
  };
  const shown = form.fields.filter((f) => !NO_DATA_TYPES.has(f.type) && f.type !== 'subform').slice(0, 3);
  return (
    <Drawer open={open} onClose={onClose} title={t('recycle.title')} size="large" destroyOnHidden>
      {bin.error ? (
        <ErrorState error={bin.error} onRetry={() => void bin.refetch()} />
      ) : (
        <Table<RecordItem>
          size="small"
          rowKey="id"
          loading={bin.isLoading}
          dataSource={bin.data?.items ?? []}
          data-testid="recycle-bin"
          scroll={{ x: 'max-content' }}
          columns={[
            ...shown.map((f) => ({ key: f.id, title: l(f.label), render: (_: unknown, r: RecordItem) => cellText(f, r.data[f.id], i18n.language, { names }) })),
            { key: 'deletedAt', title: t('recycle.deletedAt'), render: (_: unknown, r: RecordItem) => (r.deletedAt ? dayjs(r.deletedAt).format('YYYY-MM-DD HH:mm') : '') },
            { key: 'deletedBy', title: t('recycle.deletedBy'), render: (_: unknown, r: RecordItem) => names.get(r.deletedBy ?? '') ?? r.deletedBy ?? '' },
            {
              key: 'actions',
              title: '',
              render: (_: unknown, r: RecordItem) => (
                <Space>
                  <Button size="small" onClick={() => void restore(r.id)}>
                    {t('recycle.restore')}
                  </Button>
                  <Popconfirm title={t('recycle.confirmPurge')} onConfirm={() => void purge(r.id)}>
                    <Button size="small" danger>
                      {t('recycle.purge')}
                    </Button>
                  </Popconfirm>
                </Space>
              ),
            },
          ]}
        />
      )}
    </Drawer>
  );
}
