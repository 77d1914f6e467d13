import { GlobalOutlined } from '@ant-design/icons';
import { Button, Card } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function AuthCard({ title, children }: { title: string; children: ReactNode }) {
  const { i18n } = useTranslation();
  return (
    <div style={{ minHeight: '100%', display: 'flex', alignItems: 'center', justifyContent: 'center', padding: 16 }}>
      <Card
        style={{ width: 400, maxWidth: '100%' }}
        title={
          <span>
            <span className="qiao-brand">Qiao 桥</span> · {title}
          </span>
        }
        extra={
          <Button type="text" size="small" icon={<GlobalOutlined />} onClick={() => void i18n.changeLanguage(i18n.language === 'en' ? 'zh-CN' : 'en')}>
            {i18n.language === 'en' ? '中文' : 'EN'}
          </Button>
        }
      >
        {children}
      </Card>
    </div>
  );
}
