import { useState } from "preact/hooks";
import { ApiError, api } from "../api/client.js";
import type { SessionInfo } from "../api/types.js";

export function SignInScreen({
  note,
  onSignedIn,
}: {
  note?: string;
  onSignedIn: (session: SessionInfo) => void;
}) {
  const [login, setLogin] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await api<SessionInfo>("POST", "/api/session", { login, password }, { quiet401: true }));
    } catch (cause) {
      setError(
        cause instanceof ApiError && cause.status === 401 ? "Wrong login or password." : String(cause),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="center">
      <form class="card sign-in" onSubmit={submit} aria-label="Sign in">
        <h1>Phobos console</h1>
        {note && <p class="muted">{note}</p>}
        <label>
          Login
          <input
            name="login"
            autocomplete="username"
            value={login}
            onInput={(e) => setLogin(e.currentTarget.value)}
            required
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autocomplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
