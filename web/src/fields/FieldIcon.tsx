import {
  AimOutlined, BarsOutlined, CalculatorOutlined, CalendarOutlined, CheckSquareOutlined, ClockCircleOutlined,
  ClusterOutlined, DollarOutlined, EditOutlined, EnvironmentOutlined, FieldNumberOutlined, FileSearchOutlined,
  FontSizeOutlined, LinkOutlined, MailOutlined, MinusOutlined, NumberOutlined, PaperClipOutlined, PhoneOutlined,
  PictureOutlined, ProfileOutlined, SelectOutlined, TableOutlined, TeamOutlined, UnorderedListOutlined, UserOutlined,
  AlignLeftOutlined, ApartmentOutlined, CheckCircleOutlined,
} from '@ant-design/icons';
import type { ReactNode } from 'react';
import type { FieldType } from '../api/types.ts';

const ICONS: Record<FieldType, ReactNode> = {
  text: <FontSizeOutlined />,
  textarea: <AlignLeftOutlined />,
  number: <NumberOutlined />,
  money: <DollarOutlined />,
  date: <CalendarOutlined />,
  datetime: <ClockCircleOutlined />,
  radio: <CheckCircleOutlined />,
  checkbox: <CheckSquareOutlined />,
  select: <SelectOutlined />,
  multiselect: <UnorderedListOutlined />,
  member: <UserOutlined />,
  members: <TeamOutlined />,
  department: <ApartmentOutlined />,
  departments: <ClusterOutlined />,
  phone: <PhoneOutlined />,
  email: <MailOutlined />,
  address: <EnvironmentOutlined />,
  location: <AimOutlined />,
  image: <PictureOutlined />,
  attachment: <PaperClipOutlined />,
  signature: <EditOutlined />,
  serial: <FieldNumberOutlined />,
  subform: <TableOutlined />,
  relation: <LinkOutlined />,
  query: <FileSearchOutlined />,
  formula: <CalculatorOutlined />,
  divider: <MinusOutlined />,
  description: <ProfileOutlined />,
};

export function FieldIcon({ type }: { type: FieldType }) {
  return <>{ICONS[type] ?? <BarsOutlined />}</>;
}
