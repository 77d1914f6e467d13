import { PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Upload, type UploadFile } from 'antd';
import { useTranslation } from 'react-i18next';
import { apiUpload } from '../../api/client.ts';
import type { UploadedFile } from '../../api/types.ts';
import { errorMessage } from '../../layout/States.tsx';

interface UploadInputProps {
  id?: string;
  ariaLabel: string;
  images: boolean;
  value: UploadedFile[] | undefined;
  onChange: (value: UploadedFile[] | undefined) => void;
  disabled?: boolean;
  max?: number;
}

export function uploadFile(file: Blob, name: string): Promise<UploadedFile> {
  const form = new FormData();
  form.append('file', file, name);
  return apiUpload<UploadedFile>('/files', form);
}

export function UploadInput({ id, ariaLabel, images, value, onChange, disabled, max }: UploadInputProps) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const files = value ?? [];
  const fileList: UploadFile[] = files.map((f) => ({ uid: f.id, name: f.name, status: 'done', url: f.url, thumbUrl: images ? f.url : undefined }));
  const full = max !== undefined && files.length >= max;
  return (
    <Upload
      id={id}
      accept={images ? 'image/*' : undefined}
      listType={images ? 'picture-card' : 'text'}
      fileList={fileList}
      disabled={disabled}
      multiple
      customRequest={async ({ file, onSuccess, onError }) => {
        try {
          const uploaded = await uploadFile(file as Blob, (file as File).name);
          onChange([...(value ?? []), uploaded]);
          onSuccess?.(uploaded);
        } catch (err) {
          message.error(errorMessage(err, t));
          onError?.(err as Error);
        }
      }}
      onRemove={(removed) => {
        const next = files.filter((f) => f.id !== removed.uid);
        onChange(next.length ? next : undefined);
      }}
    >
      {full || disabled ? null : images ? (
        <button type="button" aria-label={ariaLabel} style={{ border: 0, background: 'none', cursor: 'pointer' }}>
          <PlusOutlined />
          <div style={{ marginTop: 4 }}>{t('record.upload')}</div>
        </button>
      ) : (
        <Button icon={<UploadOutlined />} aria-label={ariaLabel}>
          {t('record.upload')}
        </Button>
      )}
    </Upload>
  );
}
