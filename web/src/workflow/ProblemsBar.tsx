import { CheckCircleOutlined, LoadingOutlined, WarningOutlined } from '@ant-design/icons';
import { Button, List, Popover, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Problem } from './model.ts';

/** The engine's verdict next to the publish button: all clear, or the list of problems (click one to select it). */
export function ProblemsBar({ problems, checking, error, text, onPick }: { problems: Problem[]; checking: boolean; error: unknown; text: (p: Problem) => string; onPick: (p: Problem) => void }) {
  const { t } = useTranslation();
  if (error && !checking) {
    return (
      <Typography.Text type="warning" data-testid="wf-check-status" data-state="error">
        <WarningOutlined /> {t('workflow.checkFailed')}
      </Typography.Text>
    );
  }
  if (checking && !problems.length) {
    return (
      <Typography.Text type="secondary" data-testid="wf-check-status" data-state="checking">
        <LoadingOutlined /> {t('workflow.checking')}
      </Typography.Text>
    );
  }
  if (!problems.length) {
    return (
      <Typography.Text type="success" data-testid="wf-check-status" data-state="valid">
        <CheckCircleOutlined /> {t('workflow.valid')}
      </Typography.Text>
    );
  }
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      title={t('workflow.problemsTitle')}
      content={
        <List
          size="small"
          style={{ maxWidth: 460, maxHeight: 360, overflow: 'auto' }}
          dataSource={problems}
          renderItem={(p, i) => (
            <List.Item key={i} style={{ cursor: p.nodeId || p.edgeId ? 'pointer' : undefined }} onClick={() => onPick(p)} data-testid="wf-problem">
              <Typography.Text type="danger">
                <WarningOutlined /> {text(p)}
              </Typography.Text>
            </List.Item>
          )}
        />
      }
    >
      <Button danger size="small" icon={checking ? <LoadingOutlined /> : <WarningOutlined />} data-testid="wf-check-status" data-state={checking ? 'checking' : 'invalid'}>
        {t('workflow.problemsCount', { count: problems.length })}
      </Button>
    </Popover>
  );
}
