import { ClearOutlined } from '@ant-design/icons';
import { App as AntApp, Button, Space } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UploadedFile } from '../../api/types.ts';
import { errorMessage } from '../../layout/States.tsx';
import { uploadFile } from './UploadInput.tsx';

interface SignaturePadProps {
  id?: string;
  ariaLabel: string;
  value: UploadedFile | undefined;
  onChange: (value: UploadedFile | undefined) => void;
  disabled?: boolean;
}

const WIDTH = 360;
const HEIGHT = 140;

/** A hand-written signature 手写签名: drawn with mouse, pen or finger, stored as an uploaded PNG. */
export function SignaturePad({ id, ariaLabel, value, onChange, disabled }: SignaturePadProps) {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [hasInk, setHasInk] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const ctx = canvasRef.current?.getContext('2d');
    if (!ctx) return;
    ctx.lineWidth = 2.2;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = '#111';
  }, [value]);

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return { x: ((e.clientX - rect.left) * WIDTH) / rect.width, y: ((e.clientY - rect.top) * HEIGHT) / rect.height };
  };

  const start = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (disabled) return;
    const ctx = e.currentTarget.getContext('2d')!;
    e.currentTarget.setPointerCapture(e.pointerId);
    drawing.current = true;
    const p = point(e);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  };
  const move = (e: React.PointerEvent<HTMLCanvasElement>) => {
    if (!drawing.current) return;
    const ctx = e.currentTarget.getContext('2d')!;
    const p = point(e);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    setHasInk(true);
  };
  const end = () => {
    drawing.current = false;
  };

  const clear = () => {
    const canvas = canvasRef.current;
    canvas?.getContext('2d')?.clearRect(0, 0, WIDTH, HEIGHT);
    setHasInk(false);
    onChange(undefined);
  };

  const confirm = async () => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    setBusy(true);
    try {
      const blob = await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('empty'))), 'image/png'));
      onChange(await uploadFile(blob, 'signature.png'));
      setHasInk(false);
    } catch (err) {
      message.error(errorMessage(err, t));
    } finally {
      setBusy(false);
    }
  };

  if (value) {
    return (
      <Space orientation="vertical" id={id}>
        <img src={value.url} alt={ariaLabel} width={WIDTH / 2} height={HEIGHT / 2} style={{ border: '1px solid #eee', borderRadius: 4, background: '#fff' }} />
        {!disabled && (
          <Button size="small" icon={<ClearOutlined />} onClick={clear}>
            {t('record.signAgain')}
          </Button>
        )}
      </Space>
    );
  }
  return (
    <Space orientation="vertical">
      <canvas
        id={id}
        ref={canvasRef}
        role="img"
        aria-label={ariaLabel}
        className="qiao-signature"
        width={WIDTH}
        height={HEIGHT}
        style={{ width: WIDTH, height: HEIGHT }}
        onPointerDown={start}
        onPointerMove={move}
        onPointerUp={end}
        onPointerCancel={end}
      />
      <Space>
        <Button size="small" onClick={clear} disabled={!hasInk || disabled}>
          {t('record.clear')}
        </Button>
        <Button size="small" type="primary" onClick={confirm} disabled={!hasInk || disabled} loading={busy}>
          {t('record.confirmSignature')}
        </Button>
      </Space>
    </Space>
  );
}
