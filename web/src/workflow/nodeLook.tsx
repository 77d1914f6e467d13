import {
  ApartmentOutlined, AuditOutlined, BranchesOutlined, EditOutlined, MergeCellsOutlined, PartitionOutlined, PlayCircleOutlined,
  SendOutlined, StopOutlined, ThunderboltOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { NodeType } from './model.ts';

/** Colour and icon of each node type, shared by the palette, the canvas and the read-only graph. */
export const NODE_LOOK: Record<NodeType, { color: string; icon: ReactNode }> = {
  start: { color: '#52c41a', icon: <PlayCircleOutlined /> },
  end: { color: '#8c8c8c', icon: <StopOutlined /> },
  approval: { color: '#fa8c16', icon: <AuditOutlined /> },
  fill: { color: '#1677ff', icon: <EditOutlined /> },
  cc: { color: '#13c2c2', icon: <SendOutlined /> },
  branch: { color: '#722ed1', icon: <BranchesOutlined /> },
  parallel: { color: '#eb2f96', icon: <ApartmentOutlined /> },
  join: { color: '#eb2f96', icon: <MergeCellsOutlined /> },
  automation: { color: '#faad14', icon: <ThunderboltOutlined /> },
  subprocess: { color: '#2f54eb', icon: <PartitionOutlined /> },
};
