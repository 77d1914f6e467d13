import { AimOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Input, InputNumber, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface LocationValue {
  address?: string;
  lng?: number;
  lat?: number;
}

interface LocationInputProps {
  id?: string;
  ariaLabel: string;
  value: LocationValue | undefined;
  onChange: (value: LocationValue | undefined) => void;
  disabled?: boolean;
  status?: 'error';
}

/** Location 定位: the device's position when the browser allows it, or coordinates and a place typed by hand. */
export function LocationInput({ id, ariaLabel, value, onChange, disabled, status }: LocationInputProps) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [locating, setLocating] = useState(false);
  const emit = (patch: LocationValue) => {
    const next = { ...value, ...patch };
    const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined && v !== null && v !== '')) as LocationValue;
    onChange(Object.keys(clean).length ? clean : undefined);
  };
  const locate = () => {
    if (!navigator.geolocation) {
      message.warning(t('record.locationUnavailable'));
      return;
    }
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setLocating(false);
        emit({ lng: Number(pos.coords.longitude.toFixed(6)), lat: Number(pos.coords.latitude.toFixed(6)) });
      },
      () => {
        setLocating(false);
        message.warning(t('record.locationUnavailable'));
      },
      { timeout: 10_000 },
    );
  };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Input id={id} aria-label={ariaLabel} placeholder={t('record.place')} value={value?.address ?? ''} onChange={(e) => emit({ address: e.target.value })} disabled={disabled} status={status} />
      <Space wrap>
        <InputNumber aria-label={`${ariaLabel} ${t('record.longitude')}`} placeholder={t('record.longitude')} min={-180} max={180} value={value?.lng} onChange={(v) => emit({ lng: v ?? undefined })} disabled={disabled} />
        <InputNumber aria-label={`${ariaLabel} ${t('record.latitude')}`} placeholder={t('record.latitude')} min={-90} max={90} value={value?.lat} onChange={(v) => emit({ lat: v ?? undefined })} disabled={disabled} />
        <Button icon={<AimOutlined />} onClick={locate} loading={locating} disabled={disabled}>
          {t('record.locate')}
        </Button>
      </Space>
    </Space>
  );
}
