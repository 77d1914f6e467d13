import { DeleteOutlined } from '@ant-design/icons';
import { Alert, Button, Divider, Form, Input, Radio, Typography } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FieldDef } from '../api/types.ts';
import { ConditionBuilder } from '../fields/ConditionBuilder.tsx';
import type { EdgeData } from './model.ts';

export interface EdgePropertiesProps {
  id: string;
  data: EdgeData;
  fromBranch: boolean;
  fromName: string;
  toName: string;
  fields: FieldDef[];
  conditionText: string;
  onChange: (patch: Partial<EdgeData>, key?: string) => void;
  onDelete: () => void;
}

/**
 * An edge leaving a branch takes a condition (built like the data table's filter) or is the branch's default;
 * other edges only have a name.
 */
export const EdgeProperties = memo(function EdgeProperties({ id, data, fromBranch, fromName, toName, fields, conditionText, onChange, onDelete }: EdgePropertiesProps) {
  const { t } = useTranslation();
  const isDefault = Boolean(data.default);
  return (
    <Form layout="vertical" size="small" data-testid="wf-edge-properties" onSubmitCapture={(e) => e.preventDefault()}>
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('workflow.edgeFrom', { from: fromName, to: toName })}
      </Typography.Text>
      <Form.Item label={t('workflow.edgeLabel')} style={{ marginTop: 8 }}>
        <Input aria-label={t('workflow.edgeLabel')} value={data.label ?? ''} onChange={(e) => onChange({ label: e.target.value || undefined }, `label:${id}`)} maxLength={100} />
      </Form.Item>
      {fromBranch ? (
        <>
          <Form.Item label={t('workflow.edgeKind')}>
            <Radio.Group
              value={isDefault ? 'default' : 'condition'}
              onChange={(e) => onChange(e.target.value === 'default' ? { default: true, condition: undefined } : { default: undefined, condition: data.condition ?? { and: [] } })}
              options={[
                { value: 'condition', label: t('workflow.conditional') },
                { value: 'default', label: t('workflow.defaultBranch') },
              ]}
            />
          </Form.Item>
          {!isDefault && (
            <div data-testid="wf-edge-condition">
              <ConditionBuilder value={data.condition} fields={fields} onChange={(condition) => onChange({ condition }, `condition:${id}`)} />
              {conditionText && (
                <Typography.Paragraph type="secondary" style={{ marginTop: 8, fontSize: 12 }}>
                  {conditionText}
                </Typography.Paragraph>
              )}
            </div>
          )}
        </>
      ) : (
        <Alert type="info" showIcon title={t('workflow.notBranchEdge')} />
      )}
      <Divider />
      <Button danger icon={<DeleteOutlined />} onClick={onDelete}>
        {t('workflow.deleteEdge')}
      </Button>
    </Form>
  );
});
