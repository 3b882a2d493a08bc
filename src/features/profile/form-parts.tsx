/**
 * Pieces of the profile's forms: the error summary at the top (focused, one link per field), a field's message, and a
 * text field wired to its hint and error (aria-describedby, aria-invalid). Errors are said in words, not by colour alone.
 */
import type { FieldErrors } from '../../platform/errors.ts';

export function ErrorSummary({ errors, order, title }: { errors: FieldErrors; order: readonly string[]; title: string }) {
  const fields = [...order.filter((f) => errors[f]), ...Object.keys(errors).filter((f) => !order.includes(f))];
  if (fields.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="titre-erreurs" tabIndex={-1} autoFocus>
      <h2 id="titre-erreurs">{title}</h2>
      <p>Corrigez {fields.length > 1 ? `les ${fields.length} points suivants` : 'le point suivant'}, puis envoyez de nouveau :</p>
      <ul>
        {fields.map((field) => (
          <li key={field}>{order.includes(field) ? <a href={`#${field}`}>{errors[field]}</a> : errors[field]}</li>
        ))}
      </ul>
    </div>
  );
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p class="field-error" id={`${id}-erreur`}>
      <span class="visually-hidden">Erreur : </span>
      {error}
    </p>
  ) : null;
}

type TextFieldProps = {
  id: string;
  label: string;
  value: string;
  error?: string | undefined;
  hint?: string;
  type?: 'text' | 'email' | 'tel' | 'password';
  autocomplete?: string;
  inputMode?: 'numeric' | 'tel' | 'email' | 'text';
  maxLength?: number;
  required?: boolean;
  spellcheck?: boolean;
};

export function TextField({ id, label, value, error, hint, type = 'text', autocomplete, inputMode, maxLength, required, spellcheck }: TextFieldProps) {
  const describedBy = [hint ? `${id}-aide` : null, error ? `${id}-erreur` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div class={error ? 'field field-invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-aide`}>
          {hint}
        </p>
      ) : null}
      <FieldError id={id} error={error} />
      <input
        type={type}
        id={id}
        name={id}
        value={value}
        autocomplete={autocomplete}
        inputMode={inputMode}
        maxLength={maxLength}
        required={required}
        spellcheck={spellcheck}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
    </div>
  );
}

/** A notice after a change (role status: read out without moving the focus). */
export function Done({ message }: { message: string | null }) {
  return message ? (
    <div class="notice" role="status">
      <p>{message}</p>
    </div>
  ) : null;
}
