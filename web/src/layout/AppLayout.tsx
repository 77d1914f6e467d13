import { BellOutlined, GlobalOutlined, LogoutOutlined, SwapOutlined, UserOutlined } from '@ant-design/icons';
import { App as AntApp, Badge, Button, Dropdown, Layout, Menu, Tooltip, type MenuProps } from 'antd';
import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { useTodoCount } from '../api/queries.ts';
import { useAuth } from '../auth/AuthProvider.tsx';
import { errorMessage, Loading } from './States.tsx';

export function AppLayout() {
  const { t, i18n } = useTranslation();
  const { me, isAdmin, signOut, switchTenant } = useAuth();
  const { message } = AntApp.useApp();
  const location = useLocation();
  const navigate = useNavigate();
  const todo = useTodoCount();

  const section = location.pathname.startsWith('/templates') ? 'templates' : location.pathname.startsWith('/admin') ? 'admin' : 'workbench';
  const nav: MenuProps['items'] = [
    { key: 'workbench', label: <Link to="/">{t('nav.workbench')}</Link> },
    { key: 'templates', label: <Link to="/templates">{t('nav.templates')}</Link> },
    ...(isAdmin ? [{ key: 'admin', label: <Link to="/admin">{t('nav.admin')}</Link> }] : []),
  ];

  const otherTenants = (me?.tenants ?? []).filter((tenant) => tenant.id !== me?.tenant.id);
  const userMenu: MenuProps['items'] = [
    { key: 'who', label: me ? `${me.user.name} · ${me.tenant.name}` : '', disabled: true },
    ...(otherTenants.length
      ? [
          { type: 'divider' as const },
          {
            key: 'switch',
            icon: <SwapOutlined />,
            label: t('nav.switchTenant'),
            children: otherTenants.map((tenant) => ({ key: `tenant:${tenant.id}`, label: tenant.name })),
          },
        ]
      : []),
    { type: 'divider' as const },
    { key: 'logout', icon: <LogoutOutlined />, label: t('nav.logout') },
  ];

  const onUserMenu: MenuProps['onClick'] = async ({ key }) => {
    if (key === 'logout') {
      await signOut();
      navigate('/login');
    } else if (key.startsWith('tenant:')) {
      try {
        await switchTenant(key.slice('tenant:'.length));
        navigate('/');
      } catch (err) {
        message.error(errorMessage(err, t));
      }
    }
  };

  const toggleLanguage = () => void i18n.changeLanguage(i18n.language === 'en' ? 'zh-CN' : 'en');

  return (
    <Layout style={{ minHeight: '100%' }}>
      <Layout.Header className="qiao-header qiao-no-print">
        <Link to="/" className="qiao-brand">
          Qiao 桥
        </Link>
        <Menu mode="horizontal" selectedKeys={[section]} items={nav} style={{ flex: 1, minWidth: 0, borderBottom: 'none' }} />
        <Tooltip title={t('nav.todo')}>
          <Badge count={todo.data ?? 0} size="small" data-testid="todo-badge">
            <Button type="text" icon={<BellOutlined />} aria-label={t('nav.todoCount', { count: todo.data ?? 0 })} onClick={() => navigate('/tasks')} data-testid="todo-link" />
          </Badge>
        </Tooltip>
        <Button type="text" icon={<GlobalOutlined />} onClick={toggleLanguage} aria-label={t('nav.language')}>
          {i18n.language === 'en' ? '中文' : 'EN'}
        </Button>
        <Dropdown menu={{ items: userMenu, onClick: onUserMenu }} trigger={['click']}>
          <Button type="text" icon={<UserOutlined />} aria-label={t('nav.account')}>
            <span style={{ maxWidth: 120, overflow: 'hidden', textOverflow: 'ellipsis', display: 'inline-block', verticalAlign: 'bottom' }}>{me?.user.name ?? ''}</span>
          </Button>
        </Dropdown>
      </Layout.Header>
      <Layout.Content className="qiao-content">
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}
