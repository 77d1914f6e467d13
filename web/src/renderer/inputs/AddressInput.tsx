import { Cascader, Input, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface AddressValue {
  province?: string;
  city?: string;
  district?: string;
  detail?: string;
}

interface RegionOption {
  value: string;
  label: string;
  children?: RegionOption[];
}

let regionsPromise: Promise<RegionOption[]> | null = null;

/** China's province/city/district tree, loaded on first use so it stays out of the main bundle. */
function loadRegions(): Promise<RegionOption[]> {
  regionsPromise ??= import('china-area-data/data.json').then((mod) => {
    const data = (mod.default ?? mod) as Record<string, Record<string, string>>;
    const build = (code: string, depth: number): RegionOption[] =>
      Object.entries(data[code] ?? {}).map(([childCode, name]) => {
        const children = depth < 3 && data[childCode] ? build(childCode, depth + 1) : undefined;
        return { value: name, label: name, children: children?.length ? children : undefined };
      });
    return build('86', 1);
  });
  return regionsPromise;
}

interface AddressInputProps {
  id?: string;
  ariaLabel: string;
  value: AddressValue | undefined;
  onChange: (value: AddressValue | undefined) => void;
  disabled?: boolean;
  status?: 'error';
}

export function AddressInput({ id, ariaLabel, value, onChange, disabled, status }: AddressInputProps) {
  const { t } = useTranslation();
  const [regions, setRegions] = useState<RegionOption[]>([]);
  useEffect(() => {
    let live = true;
    void loadRegions().then((r) => live && setRegions(r));
    return () => {
      live = false;
    };
  }, []);
  const path = [value?.province, value?.city, value?.district].filter((x): x is string => Boolean(x));
  const emit = (next: AddressValue) => {
    const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as AddressValue;
    onChange(Object.keys(clean).length ? clean : undefined);
  };
  return (
    <Space.Compact style={{ width: '100%' }} orientation="vertical">
      <Cascader
        id={id}
        aria-label={ariaLabel}
        options={regions}
        value={path}
        changeOnSelect
        showSearch
        disabled={disabled}
        status={status}
        placeholder={t('record.region')}
        onChange={(selected) => {
          const [province, city, district] = (selected ?? []) as string[];
          emit({ province, city, district, detail: value?.detail });
        }}
      />
      <Input
        aria-label={`${ariaLabel} ${t('record.addressDetail')}`}
        placeholder={t('record.addressDetail')}
        value={value?.detail ?? ''}
        disabled={disabled}
        status={status}
        onChange={(e) => emit({ ...value, detail: e.target.value })}
      />
    </Space.Compact>
  );
}
