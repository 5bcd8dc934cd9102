/**
 * The inputs of one action, generated from its DDL. Every change is sent to
 * the server's validator (a quarter-second after the last key), which
 * applies the rules mco applies — type, validation pattern or plugin,
 * maxlength, list, required — so what the form accepts is what the request
 * will accept. Errors show for inputs the user touched, and for all once
 * the server refused a run.
 */
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client.js";
import type { ActionJson, ValidationErrors } from "../api/types.js";
import { useDebounced } from "../lib/use-debounced.js";
import { defaultText, InputField } from "./input-field.js";

export type InputValues = Record<string, string>;

export function initialValues(action: ActionJson): InputValues {
  return Object.fromEntries(Object.entries(action.input).map(([name, input]) => [name, defaultText(input)]));
}

/** What is sent: inputs left empty are left out, as inputs not given to mco are. */
export function inputsToSend(action: ActionJson, values: InputValues): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const name of Object.keys(action.input)) {
    const value = values[name] ?? "";
    if (value !== "") sent[name] = value;
  }
  return sent;
}

export function ActionForm({
  agent,
  action,
  ddl,
  values,
  onValues,
  serverErrors,
}: {
  agent: string;
  action: string;
  ddl: ActionJson;
  values: InputValues;
  onValues: (next: InputValues) => void;
  serverErrors?: ValidationErrors;
}) {
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  // What the validator said, and the values it said it about: an error is shown only while its
  // input still holds the value it was about, never for what the user has typed since.
  const [checked, setChecked] = useState<{ errors: ValidationErrors; inputs: Record<string, string> }>({
    errors: {},
    inputs: {},
  });
  const errors = checked.errors;
  const [validatorError, setValidatorError] = useState<string>();
  const settled = useDebounced({ agent, action, inputs: inputsToSend(ddl, values) }, 250);

  useEffect(() => {
    setTouched(new Set());
    setChecked({ errors: {}, inputs: {} });
  }, [ddl]);

  useEffect(() => {
    const abort = new AbortController();
    api<{ errors: ValidationErrors }>("POST", "/api/validate", settled, { signal: abort.signal }).then(
      (answer) => {
        setChecked({ errors: answer.errors, inputs: settled.inputs });
        setValidatorError(undefined);
      },
      (cause: unknown) => {
        if (!abort.signal.aborted) setValidatorError(`cannot check the inputs: ${String(cause)}`);
      },
    );
    return () => abort.abort();
  }, [settled]);

  const names = Object.keys(ddl.input);
  if (names.length === 0 && !errors[""]) return <p class="muted">This action takes no input.</p>;
  const shown = (name: string) =>
    serverErrors?.[name] ??
    ((touched.has(name) || serverErrors) && (checked.inputs[name] ?? "") === (values[name] ?? "")
      ? errors[name]
      : undefined);
  return (
    <div class="inputs">
      {names.map((name) => (
        <InputField
          key={name}
          name={name}
          input={ddl.input[name]!}
          value={values[name] ?? ""}
          error={shown(name)}
          onChange={(value) => {
            setTouched((last) => new Set(last).add(name));
            onValues({ ...values, [name]: value });
          }}
        />
      ))}
      {(serverErrors?.[""] ?? errors[""]) && <p class="error">{serverErrors?.[""] ?? errors[""]}</p>}
      {validatorError && <p class="error">{validatorError}</p>}
    </div>
  );
}
