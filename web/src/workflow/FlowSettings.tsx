import { Form, Select, Typography } from 'antd';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkflowSettings } from './model.ts';

/** What applies to the whole flow; shown while nothing on the canvas is selected. */
export const FlowSettings = memo(function FlowSettings({ value, onChange }: { value: WorkflowSettings; onChange: (patch: Partial<WorkflowSettings>) => void }) {
  const { t } = useTranslation();
  return (
    <Form layout="vertical" size="small" data-testid="wf-flow-settings">
      <Form.Item label={t('workflow.withdraw')}>
        <Select
          aria-label={t('workflow.withdraw')}
          value={value.withdraw ?? 'untouched'}
          options={(['untouched', 'beforeNextAction', 'never'] as const).map((m) => ({ value: m, label: t(`workflow.withdrawModes.${m}`) }))}
          onChange={(withdraw: WorkflowSettings['withdraw']) => onChange({ withdraw })}
        />
      </Form.Item>
      <Form.Item label={t('workflow.sendBackReturn')}>
        <Select
          aria-label={t('workflow.sendBackReturn')}
          value={value.sendBackReturn ?? 'rerun'}
          options={(['rerun', 'direct'] as const).map((m) => ({ value: m, label: t(`workflow.sendBackModes.${m}`) }))}
          onChange={(sendBackReturn: WorkflowSettings['sendBackReturn']) => onChange({ sendBackReturn })}
        />
      </Form.Item>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('workflow.selectHint')}
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('workflow.shortcuts')}
      </Typography.Paragraph>
    </Form>
  );
});
