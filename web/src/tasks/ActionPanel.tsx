import { CheckOutlined, CloseOutlined, CommentOutlined, RollbackOutlined, SendOutlined, SwapOutlined, UserAddOutlined, BellOutlined } from '@ant-design/icons';
import { Alert, Button, Form, Input, Modal, Radio, Select, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MemberPicker } from '../renderer/inputs/OrgPickers.tsx';
import type { ActionBody } from './api.ts';

export interface SendBackTarget {
  nodeId: string;
  name: string;
}

type Dialog = 'sendBack' | 'transfer' | 'addSigner' | null;

/**
 * The buttons of the actions the node allows this person, with the comment box they share. Decisions that need
 * a choice (send back to which node, transfer to whom, add which signers) ask for it in a dialog first.
 */
export function ActionPanel({ allowed, targets, requireComment, busy, error, onAct }: {
  allowed: string[];
  targets: SendBackTarget[];
  requireComment: boolean;
  busy: string | null;
  error: string | null;
  onAct: (body: ActionBody) => void;
}) {
  const { t } = useTranslation();
  const [comment, setComment] = useState('');
  const [dialog, setDialog] = useState<Dialog>(null);
  const [toNodeId, setToNodeId] = useState<string | undefined>(targets[0]?.nodeId);
  const [toMemberId, setToMemberId] = useState<string | undefined>();
  const [signers, setSigners] = useState<string[]>([]);
  const [position, setPosition] = useState<'before' | 'after' | 'parallel'>('after');
  const has = (a: string) => allowed.includes(a);
  const text = comment.trim() || undefined;
  const act = (body: ActionBody) => onAct({ ...body, comment: text });
  const button = (action: string, icon: React.ReactNode, props: Record<string, unknown> = {}) => (
    <Button key={action} icon={icon} loading={busy === action} disabled={busy !== null && busy !== action} data-testid={`task-action-${action}`} {...props}>
      {t(`tasks.buttons.${action}`)}
    </Button>
  );

  return (
    <div data-testid="task-actions">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} role="alert" data-testid="task-action-error" />}
      <Form layout="vertical" component="div">
        <Form.Item label={t('tasks.comment')} required={requireComment} style={{ marginBottom: 12 }}>
          <Input.TextArea aria-label={t('tasks.comment')} value={comment} onChange={(e) => setComment(e.target.value)} placeholder={requireComment ? t('tasks.commentRequired') : t('tasks.commentPlaceholder')} autoSize={{ minRows: 2, maxRows: 6 }} maxLength={5000} />
        </Form.Item>
      </Form>
      <Space wrap>
        {has('approve') && button('approve', <CheckOutlined />, { type: 'primary', onClick: () => act({ action: 'approve' }) })}
        {has('submit') && button('submit', <SendOutlined />, { type: 'primary', onClick: () => act({ action: 'submit' }) })}
        {has('reject') && button('reject', <CloseOutlined />, { danger: true, onClick: () => act({ action: 'reject' }) })}
        {has('sendBack') &&
          button('sendBack', <RollbackOutlined />, {
            onClick: () => {
              setToNodeId((v) => (v && targets.some((x) => x.nodeId === v) ? v : targets[0]?.nodeId));
              setDialog('sendBack');
            },
          })}
        {has('transfer') && button('transfer', <SwapOutlined />, { onClick: () => setDialog('transfer') })}
        {has('addSigner') && button('addSigner', <UserAddOutlined />, { onClick: () => setDialog('addSigner') })}
        {has('comment') && button('comment', <CommentOutlined />, { onClick: () => act({ action: 'comment' }), disabled: !text || (busy !== null && busy !== 'comment') })}
        {has('urge') && button('urge', <BellOutlined />, { onClick: () => act({ action: 'urge' }) })}
      </Space>

      <Modal
        open={dialog === 'sendBack'}
        title={t('tasks.buttons.sendBack')}
        okText={t('tasks.buttons.sendBack')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: !toNodeId, id: 'task-sendback-confirm' }}
        onCancel={() => setDialog(null)}
        onOk={() => {
          setDialog(null);
          act({ action: 'sendBack', toNodeId });
        }}
        destroyOnHidden
      >
        <Form layout="vertical" component="div">
          <Form.Item label={t('tasks.sendBackTo')}>
            <Radio.Group value={toNodeId} onChange={(e) => setToNodeId(e.target.value)} style={{ display: 'grid', gap: 6 }} options={targets.map((x) => ({ value: x.nodeId, label: x.name }))} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={dialog === 'transfer'}
        title={t('tasks.buttons.transfer')}
        okText={t('tasks.buttons.transfer')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: !toMemberId }}
        onCancel={() => setDialog(null)}
        onOk={() => {
          setDialog(null);
          act({ action: 'transfer', toMemberId });
        }}
        destroyOnHidden
      >
        <Form layout="vertical" component="div">
          <Form.Item label={t('tasks.transferTo')}>
            <MemberPicker multiple={false} ariaLabel={t('tasks.transferTo')} value={toMemberId} onChange={(v) => setToMemberId(v as string | undefined)} />
          </Form.Item>
        </Form>
      </Modal>

      <Modal
        open={dialog === 'addSigner'}
        title={t('tasks.buttons.addSigner')}
        okText={t('tasks.buttons.addSigner')}
        cancelText={t('common.cancel')}
        okButtonProps={{ disabled: !signers.length }}
        onCancel={() => setDialog(null)}
        onOk={() => {
          setDialog(null);
          act({ action: 'addSigner', memberIds: signers, position });
        }}
        destroyOnHidden
      >
        <Form layout="vertical" component="div">
          <Form.Item label={t('tasks.addSigners')}>
            <MemberPicker multiple ariaLabel={t('tasks.addSigners')} value={signers} onChange={(v) => setSigners((v as string[] | undefined) ?? [])} />
          </Form.Item>
          <Form.Item label={t('tasks.signerPosition')}>
            <Select
              aria-label={t('tasks.signerPosition')}
              value={position}
              onChange={setPosition}
              options={(['before', 'after', 'parallel'] as const).map((p) => ({ value: p, label: t(`tasks.positions.${p}`) }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
