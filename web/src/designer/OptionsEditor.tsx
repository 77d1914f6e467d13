import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Option } from '../api/types.ts';
import { localize } from '../lib/localize.ts';

export function OptionsEditor({ options, onChange }: { options: Option[]; onChange: (next: Option[], coalesce?: string) => void }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<Option>, coalesce?: string) => onChange(options.map((o, j) => (j === i ? { ...o, ...patch } : o)), coalesce);
  const move = (i: number, delta: number) => {
    const next = options.slice();
    const [o] = next.splice(i, 1);
    next.splice(i + delta, 0, o);
    onChange(next);
  };
  const add = () => {
    const taken = new Set(options.map((o) => o.value));
    let n = options.length + 1;
    while (taken.has(`option${n}`)) n++;
    onChange([...options, { value: `option${n}`, label: { 'zh-CN': `选项${n}`, en: `Option ${n}` } }]);
  };
  return (
    <div style={{ display: 'grid', gap: 6 }} data-testid="options-editor">
      {options.map((option, i) => (
        <Space.Compact key={i} style={{ width: '100%' }}>
          <Input
            aria-label={t('designer.optionValue', { n: i + 1 })}
            value={option.value}
            onChange={(e) => set(i, { value: e.target.value }, `opt-value-${i}`)}
            style={{ width: '30%' }}
          />
          <Input
            aria-label={t('designer.optionLabelZh', { n: i + 1 })}
            value={localize(option.label, 'zh-CN')}
            onChange={(e) => set(i, { label: { 'zh-CN': e.target.value, en: localize(option.label, 'en') } }, `opt-zh-${i}`)}
          />
          <Input
            aria-label={t('designer.optionLabelEn', { n: i + 1 })}
            value={typeof option.label === 'string' ? '' : (option.label.en ?? '')}
            onChange={(e) => set(i, { label: { 'zh-CN': localize(option.label, 'zh-CN'), en: e.target.value } }, `opt-en-${i}`)}
          />
          <Button icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('designer.moveUp')} />
          <Button icon={<ArrowDownOutlined />} disabled={i === options.length - 1} onClick={() => move(i, 1)} aria-label={t('designer.moveDown')} />
          <Button icon={<DeleteOutlined />} danger onClick={() => onChange(options.filter((_, j) => j !== i))} aria-label={t('designer.removeOption')} />
        </Space.Compact>
      ))}
      <Button size="small" icon={<PlusOutlined />} onClick={add}>
        {t('designer.addOption')}
      </Button>
    </div>
  );
}
