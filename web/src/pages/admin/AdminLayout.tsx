import { ApartmentOutlined, AuditOutlined, KeyOutlined, SafetyOutlined, TeamOutlined, UserOutlined } from '@ant-design/icons';
import { Col, Menu, Result, Row } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { useAuth } from '../../auth/AuthProvider.tsx';
import { Loading } from '../../layout/States.tsx';

export default function AdminLayout() {
  const { t } = useTranslation();
  const { isAdmin, meLoading } = useAuth();
  const location = useLocation();
  if (meLoading) return <Loading />;
  if (!isAdmin) return <Result status="403" title="403" subTitle={t('errors.forbidden')} />;
  const section = location.pathname.split('/')[2] ?? 'members';
  const items = [
    { key: 'members', icon: <UserOutlined />, label: <Link to="/admin/members">{t('admin.members')}</Link> },
    { key: 'departments', icon: <ApartmentOutlined />, label: <Link to="/admin/departments">{t('admin.departments')}</Link> },
    { key: 'roles', icon: <TeamOutlined />, label: <Link to="/admin/roles">{t('admin.roles')}</Link> },
    { key: 'permissions', icon: <SafetyOutlined />, label: <Link to="/admin/permissions">{t('admin.permissions')}</Link> },
    { key: 'api-tokens', icon: <KeyOutlined />, label: <Link to="/admin/api-tokens">{t('admin.apiTokens')}</Link> },
    { key: 'audit-log', icon: <AuditOutlined />, label: <Link to="/admin/audit-log">{t('admin.auditLog')}</Link> },
  ];
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={5}>
        <Menu mode="inline" selectedKeys={[section]} items={items} style={{ borderRadius: 8 }} aria-label={t('nav.admin')} />
      </Col>
      <Col xs={24} md={19}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </Col>
    </Row>
  );
}
