/**
 * One DDL input as a form control: a choice for `list` and `boolean`
 * inputs, a text box for strings and numbers, JSON for hashes and arrays.
 * What the user types is sent as typed, as `mco rpc agent action key=value`
 * sends it: the server converts and validates it by the DDL's rules.
 */
import type { InputJson } from "../api/types.js";
import { valueText } from "../lib/format.js";

export function defaultText(input: InputJson): string {
  return input.default === undefined || input.default === null ? "" : valueText(input.default);
}

function hint(input: InputJson): string {
  const parts = [input.type];
  if (typeof input.validation === "string") parts.push(`validation ${input.validation}`);
  else if (input.validation) parts.push(`matches /${input.validation.regex}/${input.validation.flags}`);
  if (input.maxlength) parts.push(`at most ${input.maxlength} characters`);
  if (input.default !== undefined && input.default !== null)
    parts.push(`default ${valueText(input.default)}`);
  parts.push(input.optional ? "optional" : "required");
  return parts.join(" · ");
}

export function InputField({
  name,
  input,
  value,
  error,
  onChange,
}: {
  name: string;
  input: InputJson;
  value: string;
  error?: string;
  onChange: (value: string) => void;
}) {
  const id = `input-${name}`;
  const described = `${id}-hint`;
  const common = {
    id,
    name,
    "aria-describedby": described,
    "aria-invalid": error ? true : undefined,
  } as const;
  let control: preact.JSX.Element;
  if (input.type === "list" || input.type === "boolean") {
    const choices = input.type === "boolean" ? ["true", "false"] : (input.list ?? []).map(valueText);
    control = (
      <select {...common} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{input.optional ? "(not set)" : "(choose)"}</option>
        {choices.map((choice) => (
          <option key={choice} value={choice}>
            {choice}
          </option>
        ))}
      </select>
    );
  } else if (input.type === "hash" || input.type === "array" || input.type === "any") {
    control = (
      <textarea
        {...common}
        rows={3}
        spellcheck={false}
        value={value}
        placeholder={input.type === "array" ? '["a", "b"]' : '{"key": "value"}'}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  } else {
    control = (
      <input
        {...common}
        value={value}
        spellcheck={false}
        inputMode={input.type === "integer" ? "numeric" : input.type === "string" ? undefined : "decimal"}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  }
  return (
    <div class={`field${error ? " invalid" : ""}`} data-input={name}>
      <label for={id}>
        {input.prompt || name} <code>{name}</code>
        {!input.optional && <span class="required"> *</span>}
      </label>
      {control}
      <small id={described} class="muted">
        {input.description} ({hint(input)})
      </small>
      {error && (
        <small class="error" role="alert" data-testid={`error-${name}`}>
          {error}
        </small>
      )}
    </div>
  );
}
