import { useQuery } from '@tanstack/react-query';
import { Button, Drawer, List, Modal, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client.ts';
import type { FieldDef } from '../api/types.ts';
import { EmptyState, ErrorState, Loading } from '../layout/States.tsx';
import { useOrgNames } from '../renderer/inputs/OrgPickers.tsx';
import { FlowGraph } from './FlowGraph.tsx';
import type { Definition, VersionSummary } from './model.ts';

function VersionView({ formId, version, fields, onLoad }: { formId: string; version: number; fields: FieldDef[]; onLoad: (d: Definition) => void }) {
  const { t } = useTranslation();
  const query = useQuery({
    queryKey: ['workflow', formId, 'versions', version],
    staleTime: Infinity, // published versions never change
    queryFn: ({ signal }) => api<VersionSummary & { definition: Definition }>('GET', `/forms/${formId}/workflow/versions/${version}`, undefined, { signal }),
  });
  if (query.isLoading) return <Loading />;
  if (query.error || !query.data) return <ErrorState error={query.error} onRetry={() => void query.refetch()} />;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <FlowGraph definition={query.data.definition} fields={fields} height={520} />
      <Button onClick={() => onLoad(query.data.definition)}>{t('workflow.loadVersion')}</Button>
    </Space>
  );
}

/** Published versions, newest first; any can be looked at, or taken back into the editor as the draft. */
export function VersionHistory({ open, onClose, formId, versions, current, fields, onLoad }: {
  open: boolean;
  onClose: () => void;
  formId: string;
  versions: VersionSummary[];
  current?: number;
  fields: FieldDef[];
  onLoad: (definition: Definition) => void;
}) {
  const { t } = useTranslation();
  const names = useOrgNames();
  const [viewing, setViewing] = useState<number | null>(null);
  // xyflow measures handles on mount; inside the modal's zoom-in animation it would measure a scaled node.
  const [shown, setShown] = useState(false);
  return (
    <>
      <Drawer open={open} onClose={onClose} title={t('workflow.versions')} size={420} data-testid="wf-versions">
        {versions.length === 0 ? (
          <EmptyState description={t('workflow.noVersions')} />
        ) : (
          <List
            dataSource={versions}
            renderItem={(v) => (
              <List.Item
                actions={[
                  <Button key="view" size="small" onClick={() => setViewing(v.version)} aria-label={t('workflow.viewVersionN', { version: v.version })}>
                    {t('workflow.viewVersion')}
                  </Button>,
                ]}
              >
                <List.Item.Meta
                  title={
                    <Space>
                      <Typography.Text strong>v{v.version}</Typography.Text>
                      {v.version === current && <Tag color="green">{t('workflow.inUse')}</Tag>}
                    </Space>
                  }
                  description={t('workflow.versionMeta', { name: names.get(v.publishedBy) ?? v.publishedBy, at: dayjs(v.publishedAt).format('YYYY-MM-DD HH:mm') })}
                />
              </List.Item>
            )}
          />
        )}
      </Drawer>
      <Modal open={viewing !== null} onCancel={() => setViewing(null)} footer={null} width="min(1100px, 95vw)" title={viewing !== null ? t('workflow.versionTitle', { version: viewing }) : ''} afterOpenChange={setShown} destroyOnHidden>
        {viewing !== null && !shown && <div style={{ height: 560 }} />}
        {viewing !== null && shown && (
          <VersionView
            formId={formId}
            version={viewing}
            fields={fields}
            onLoad={(d) => {
              setViewing(null);
              onClose();
              onLoad(d);
            }}
          />
        )}
      </Modal>
    </>
  );
}
