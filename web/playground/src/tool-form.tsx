import { useState, type FormEvent } from 'react';
import type { Tool } from '@modelcontextprotocol/client';

// A form built from a tool's input schema: a field per simple property (text, number, yes/no, a
// choice, a list of words), and the arguments as raw JSON for everything else.

interface PropertySchema {
  type?: string | string[];
  enum?: unknown[];
  description?: string;
  items?: PropertySchema;
  anyOf?: PropertySchema[];
}

type FieldKind = 'text' | 'number' | 'boolean' | 'choice' | 'list';

/** The field that edits a property, or undefined when only raw JSON can (objects, lists of objects). */
function fieldKind(schema: PropertySchema): FieldKind | undefined {
  // `T | null` (dueDate): edit it as T; an empty field leaves it out.
  const variants = schema.anyOf?.filter((variant) => variant.type !== 'null');
  if (variants?.length === 1) return fieldKind(variants[0]!);
  if (schema.enum) return 'choice';
  if (schema.type === 'string') return 'text';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'array' && schema.items?.type === 'string') return 'list';
  return undefined;
}

function argumentsOf(properties: [string, PropertySchema][], values: Record<string, string | boolean>): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [name, schema] of properties) {
    const value = values[name];
    if (value === undefined || value === '' || value === false) continue;
    const kind = fieldKind(schema);
    if (kind === 'number') args[name] = Number(value);
    else if (kind === 'list') args[name] = String(value).split(',').map((item) => item.trim()).filter(Boolean);
    else args[name] = value;
  }
  return args;
}

export function ToolForm({ tool, onCall }: { tool: Tool; onCall(args: Record<string, unknown>): void }) {
  const properties = Object.entries((tool.inputSchema.properties ?? {}) as Record<string, PropertySchema>);
  const required = new Set((tool.inputSchema.required as string[] | undefined) ?? []);
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [raw, setRaw] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (raw === undefined) return onCall(argumentsOf(properties, values));
    try {
      const parsed: unknown = JSON.parse(raw);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the arguments must be a JSON object');
      setError(undefined);
      onCall(parsed as Record<string, unknown>);
    } catch (problem) {
      setError(`Not valid arguments: ${(problem as Error).message}`);
    }
  };

  return (
    <form className="tool-form" aria-label={`Call ${tool.name}`} onSubmit={submit}>
      {raw === undefined ? (
        properties.map(([name, schema]) => {
          const kind = fieldKind(schema);
          const label = `${name}${required.has(name) ? ' (required)' : ''}`;
          if (kind === undefined) return <p key={name} className="muted">{name}: edit it as JSON.</p>;
          if (kind === 'boolean') {
            return (
              <label key={name} className="check">
                <input type="checkbox" checked={values[name] === true} onChange={(event) => setValues({ ...values, [name]: event.target.checked })} /> {label}
              </label>
            );
          }
          return (
            <label key={name}>
              <span>{label}</span>
              {kind === 'choice' ? (
                <select value={String(values[name] ?? '')} onChange={(event) => setValues({ ...values, [name]: event.target.value })}>
                  <option value="">(none)</option>
                  {schema.enum!.map((option) => <option key={String(option)}>{String(option)}</option>)}
                </select>
              ) : (
                <input type={kind === 'number' ? 'number' : 'text'} value={String(values[name] ?? '')} placeholder={kind === 'list' ? 'comma, separated' : ''} onChange={(event) => setValues({ ...values, [name]: event.target.value })} />
              )}
              {schema.description ? <small className="muted">{schema.description}</small> : null}
            </label>
          );
        })
      ) : (
        <label>
          <span>Arguments (JSON)</span>
          <textarea rows={6} value={raw} onChange={(event) => setRaw(event.target.value)} spellCheck={false} />
        </label>
      )}
      {error ? <p role="alert" className="error">{error}</p> : null}
      <div className="row">
        <button type="submit">Call {tool.name}</button>
        <button type="button" className="link" onClick={() => setRaw(raw === undefined ? JSON.stringify(argumentsOf(properties, values), null, 2) : undefined)}>
          {raw === undefined ? 'Edit as JSON' : 'Back to the form'}
        </button>
      </div>
    </form>
  );
}
