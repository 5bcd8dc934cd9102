/**
 * The shell: who is signed in, the navigation, and which screen the hash
 * route names. Every API call that answers 401 lands back here, on sign-in.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, setCsrfToken, whenSignedOut } from "./api/client.js";
import type { SessionInfo } from "./api/types.js";
import { EMPTY_FILTER, type FilterText } from "./lib/filter.js";
import { href, useRoute } from "./lib/route.js";
import { FleetScreen } from "./screens/fleet.js";
import { HistoryScreen } from "./screens/history.js";
import { NodeScreen } from "./screens/node.js";
import { RequestScreen } from "./screens/request.js";
import { RunScreen } from "./screens/run.js";
import { SignInScreen } from "./screens/sign-in.js";

type SessionState =
  | { state: "checking" }
  | { state: "signed-out"; note?: string }
  | { state: "in"; session: SessionInfo };

export function App() {
  const [session, setSession] = useState<SessionState>({ state: "checking" });
  // One filter for the fleet and the run screens: narrowing the fleet and then
  // running an action on what is shown is the common path.
  const [filter, setFilter] = useState<FilterText>(EMPTY_FILTER);
  const route = useRoute();

  const signedIn = useCallback((next: SessionInfo) => {
    setCsrfToken(next.csrfToken);
    setSession({ state: "in", session: next });
  }, []);

  useEffect(() => {
    whenSignedOut(() => {
      setCsrfToken("");
      setSession({ state: "signed-out", note: "Your session ended: sign in again." });
    });
    api<SessionInfo>("GET", "/api/session", undefined, { quiet401: true }).then(signedIn, () =>
      setSession({ state: "signed-out" }),
    );
  }, [signedIn]);

  const signOut = async () => {
    try {
      await api("DELETE", "/api/session");
    } finally {
      setCsrfToken("");
      setSession({ state: "signed-out", note: "Signed out." });
    }
  };

  if (session.state === "checking") return <main class="center muted">Loading…</main>;
  if (session.state === "signed-out") return <SignInScreen note={session.note} onSignedIn={signedIn} />;

  const tab = route.screen === "node" ? "fleet" : route.screen === "request" ? "history" : route.screen;
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">Phobos</span>
        <nav>
          <a href={href({ screen: "fleet" })} aria-current={tab === "fleet" ? "page" : undefined}>
            Fleet
          </a>
          <a href={href({ screen: "run" })} aria-current={tab === "run" ? "page" : undefined}>
            Run
          </a>
          <a href={href({ screen: "history" })} aria-current={tab === "history" ? "page" : undefined}>
            History
          </a>
        </nav>
        <span class="user" data-testid="user">
          {session.session.user}
        </span>
        <button type="button" class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>
        {route.screen === "fleet" && <FleetScreen filter={filter} onFilter={setFilter} />}
        {route.screen === "node" && <NodeScreen identity={route.identity} />}
        {route.screen === "run" && (
          <RunScreen filter={filter} onFilter={setFilter} agent={route.agent} action={route.action} />
        )}
        {route.screen === "history" && <HistoryScreen />}
        {route.screen === "request" && <RequestScreen id={route.id} />}
      </main>
    </div>
  );
}
