import { Checkbox, DatePicker, Input, InputNumber, Radio, Select } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { FieldDef, UploadedFile } from '../api/types.ts';
import { useLocalize } from '../lib/localize.ts';
import { cellText } from './cellText.ts';
import { AddressInput, type AddressValue } from './inputs/AddressInput.tsx';
import { LocationInput, type LocationValue } from './inputs/LocationInput.tsx';
import { DepartmentPicker, MemberPicker } from './inputs/OrgPickers.tsx';
import { RelationPicker } from './inputs/RelationPicker.tsx';
import { SignaturePad } from './inputs/SignaturePad.tsx';
import { UploadInput } from './inputs/UploadInput.tsx';

export interface FieldInputProps {
  field: FieldDef;
  id: string;
  label: string;
  value: unknown;
  onChange: (value: unknown) => void;
  onBlur?: () => void;
  disabled?: boolean;
  invalid?: boolean;
  /** Inside a subform grid: smaller widgets. */
  compact?: boolean;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v == null ? '' : String(v));
const emptyToUndefined = (v: string) => (v === '' ? undefined : v);

/** One input per field type; every one carries the field's label as its accessible name. */
export function FieldInput({ field, id, label, value, onChange, onBlur, disabled, invalid, compact }: FieldInputProps) {
  const { t, i18n } = useTranslation();
  const l = useLocalize();
  const status = invalid ? ('error' as const) : undefined;
  const common = { id, 'aria-label': label, 'aria-invalid': invalid || undefined, disabled, status, onBlur };
  const options = (field.options ?? []).map((o) => ({ value: o.value, label: l(o.label) }));

  switch (field.type) {
    case 'text':
      return <Input {...common} value={str(value)} onChange={(e) => onChange(emptyToUndefined(e.target.value))} maxLength={field.maxLength} />;
    case 'phone':
      return <Input {...common} type="tel" inputMode="tel" autoComplete="tel" value={str(value)} onChange={(e) => onChange(emptyToUndefined(e.target.value.trim()))} />;
    case 'email':
      return <Input {...common} type="email" inputMode="email" value={str(value)} onChange={(e) => onChange(emptyToUndefined(e.target.value.trim()))} />;
    case 'textarea':
      return <Input.TextArea {...common} value={str(value)} onChange={(e) => onChange(emptyToUndefined(e.target.value))} autoSize={{ minRows: compact ? 1 : 3, maxRows: 10 }} maxLength={field.maxLength} />;
    case 'number':
    case 'money':
      return (
        <InputNumber
          {...common}
          style={{ width: '100%' }}
          value={typeof value === 'number' ? (field.percent ? value * 100 : value) : null}
          precision={field.percent ? undefined : field.precision}
          suffix={field.percent ? '%' : undefined}
          prefix={field.type === 'money' && !compact ? (field.currency && field.currency !== 'CNY' ? field.currency : '¥') : undefined}
          onChange={(v) => onChange(typeof v === 'number' ? (field.percent ? v / 100 : v) : undefined)}
        />
      );
    case 'date':
      return <DatePicker {...common} style={{ width: '100%' }} value={value ? dayjs(str(value)) : null} onChange={(d) => onChange(d ? d.format('YYYY-MM-DD') : undefined)} />;
    case 'datetime':
      return <DatePicker {...common} showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} value={value ? dayjs(str(value)) : null} onChange={(d) => onChange(d ? d.toISOString() : undefined)} />;
    case 'radio':
      return (
        <Radio.Group id={id} role="radiogroup" aria-label={label} aria-invalid={invalid || undefined} disabled={disabled} value={value} onChange={(e) => onChange(e.target.value)} options={options} />
      );
    case 'checkbox':
      return (
        <div id={id} role="group" aria-label={label}>
          <Checkbox.Group disabled={disabled} value={(value as string[]) ?? []} onChange={(v) => onChange(v.length ? v : undefined)} options={options} />
        </div>
      );
    case 'select':
      return <Select {...common} allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: '100%' }} value={value as string | undefined} onChange={(v) => onChange(v ?? undefined)} options={options} />;
    case 'multiselect':
      return <Select {...common} mode="multiple" allowClear showSearch={{ optionFilterProp: 'label' }} style={{ width: '100%' }} value={(value as string[]) ?? []} onChange={(v: string[]) => onChange(v.length ? v : undefined)} options={options} />;
    case 'member':
    case 'members':
      return <MemberPicker id={id} ariaLabel={label} multiple={field.type === 'members'} value={value as string | string[] | undefined} onChange={onChange} disabled={disabled} status={status} />;
    case 'department':
    case 'departments':
      return <DepartmentPicker id={id} ariaLabel={label} multiple={field.type === 'departments'} value={value as string | string[] | undefined} onChange={onChange} disabled={disabled} status={status} />;
    case 'address':
      return <AddressInput id={id} ariaLabel={label} value={value as AddressValue | undefined} onChange={onChange} disabled={disabled} status={status} />;
    case 'location':
      return <LocationInput id={id} ariaLabel={label} value={value as LocationValue | undefined} onChange={onChange} disabled={disabled} status={status} />;
    case 'image':
    case 'attachment':
      return <UploadInput id={id} ariaLabel={label} images={field.type === 'image'} value={value as UploadedFile[] | undefined} onChange={onChange} disabled={disabled} max={typeof field.max === 'number' ? field.max : undefined} />;
    case 'signature':
      return <SignaturePad id={id} ariaLabel={label} value={value as UploadedFile | undefined} onChange={onChange} disabled={disabled} />;
    case 'relation':
      return <RelationPicker id={id} ariaLabel={label} field={field} value={value as string | undefined} onChange={onChange} disabled={disabled} status={status} />;
    case 'formula':
      return <Input id={id} aria-label={label} readOnly value={cellText(field, value, i18n.language)} data-computed="formula" variant="filled" />;
    case 'serial':
      return <Input id={id} aria-label={label} readOnly value={str(value)} placeholder={t('record.serialAuto')} variant="filled" />;
    default:
      return <Input {...common} value={str(value)} onChange={(e) => onChange(emptyToUndefined(e.target.value))} />;
  }
}
