import { Alert, Input, Tabs, Tag, Typography } from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { FORMULA_FUNCTIONS } from '../engine/engine.ts';

export interface FormulaReference {
  id: string;
  label: string;
}

interface FormulaEditorProps {
  id: string;
  label: string;
  value: string;
  references: FormulaReference[];
  error: string | null;
  onChange: (next: string) => void;
}

export function FormulaEditor({ id, label, value, references, error, onChange }: FormulaEditorProps) {
  const { t } = useTranslation();
  const ref = useRef<TextAreaRef>(null);

  const insert = (text: string, caretBack = 0) => {
    const el = ref.current?.resizableTextArea?.textArea;
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    const next = value.slice(0, start) + text + value.slice(end);
    onChange(next);
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      const caret = start + text.length - caretBack;
      el.setSelectionRange(caret, caret);
    });
  };

  return (
    <div data-testid="formula-editor">
      <label htmlFor={id} style={{ display: 'block', marginBottom: 4 }}>
        {label}
      </label>
      <Input.TextArea
        id={id}
        ref={ref}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoSize={{ minRows: 2, maxRows: 6 }}
        style={{ fontFamily: 'monospace' }}
        status={error ? 'error' : undefined}
        aria-invalid={Boolean(error)}
        aria-describedby={`${id}-status`}
        spellCheck={false}
      />
      <div id={`${id}-status`} role="status" aria-live="polite" style={{ marginTop: 4 }}>
        {error ? <Alert type="error" showIcon title={error} data-testid="formula-error" /> : value.trim() ? <Typography.Text type="success">{t('designer.formulaOk')}</Typography.Text> : null}
      </div>
      <Tabs
        size="small"
        items={[
          {
            key: 'fields',
            label: t('designer.formulaFields'),
            children: (
              <div style={{ maxHeight: 160, overflow: 'auto' }}>
                {references.length ? (
                  references.map((r) => (
                    <Tag key={r.id} style={{ cursor: 'pointer', marginBottom: 4 }} onClick={() => insert(r.id)} role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && insert(r.id)}>
                      {r.label} <Typography.Text type="secondary">{r.id}</Typography.Text>
                    </Tag>
                  ))
                ) : (
                  <Typography.Text type="secondary">{t('designer.noFieldsYet')}</Typography.Text>
                )}
              </div>
            ),
          },
          {
            key: 'functions',
            label: t('designer.formulaFunctions'),
            children: (
              <div style={{ maxHeight: 160, overflow: 'auto' }}>
                {FORMULA_FUNCTIONS.map((fn) => (
                  <Tag
                    key={fn}
                    color="geekblue"
                    style={{ cursor: 'pointer', marginBottom: 4 }}
                    onClick={() => insert(`${fn}()`, 1)}
                    role="button"
                    tabIndex={0}
                    onKeyDown={(e) => e.key === 'Enter' && insert(`${fn}()`, 1)}
                    title={t(`formulaHelp.${fn}`, { defaultValue: '' })}
                  >
                    {fn}
                  </Tag>
                ))}
              </div>
            ),
          },
        ]}
      />
    </div>
  );
}
