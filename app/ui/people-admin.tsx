"use client";
// The people page's working parts: the list of people, each with its own actions (edit,
// reset the password, tokens, remove), and the form that adds a person. Passwords and tokens
// the server generates are shown once, here, and never again.
import { useRouter } from "next/navigation";
import { useEffect, useId, useState, type FormEvent } from "react";
import { callApi } from "../lib/client-api.ts";
import { LocalTime } from "./local-time.tsx";

export interface Person {
  name: string;
  displayName: string;
  roles: string[];
  createdAt: string;
  tokens: number;
}

interface Token {
  id: string;
  name: string;
  label: string;
  createdAt: string;
  lastUsedAt?: string;
}

const MEANINGFUL = [
  { role: "admin", hint: "everything, people included" },
  { role: "designer", hint: "edit and deploy workflows" },
  { role: "operator", hint: "start, cancel, retry runs" },
] as const;
const NAME = /^[a-z][a-z0-9._-]{0,63}$/;
const ROLE = /^[a-z][a-z0-9._-]{0,63}$/;

/** "finance, legal" as roles; the wrong ones named. */
function parseOtherRoles(text: string): { roles: string[]; wrong: string[] } {
  const parts = text
    .split(",")
    .map((p) => p.trim().toLowerCase())
    .filter((p) => p !== "");
  return { roles: parts.filter((p) => ROLE.test(p)), wrong: parts.filter((p) => !ROLE.test(p)) };
}

/** A password for a reset: 16 characters from an alphabet without look-alikes (0/O, 1/l). */
function newPassword(): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}

export function PeopleAdmin({ initial, me }: { initial: Person[]; me: string }) {
  const router = useRouter();
  const [people, setPeople] = useState(initial);
  const [notice, setNotice] = useState("");

  const replace = (person: Person) => setPeople((list) => list.map((p) => (p.name === person.name ? person : p)));
  const changed = (message: string) => {
    setNotice(message);
    router.refresh();
  };

  return (
    <div className="columns columns-wide-left">
      <section aria-labelledby="people-heading" className="stack">
        <h2 id="people-heading" className="section-title">
          Everyone ({people.length})
        </h2>
        <p role="status" className={notice ? "alert alert-success" : "visually-hidden"}>
          {notice}
        </p>
        <ul className="people">
          {people.map((person) => (
            <li key={person.name}>
              <PersonCard
                person={person}
                self={person.name === me}
                onChanged={(p, message) => {
                  replace(p);
                  if (message) changed(message);
                }}
                onRemoved={(message) => {
                  setPeople((list) => list.filter((p) => p.name !== person.name));
                  changed(message);
                }}
              />
            </li>
          ))}
        </ul>
      </section>
      <AddPerson
        onAdded={(person) => {
          setPeople((list) => [...list, person].sort((a, b) => a.name.localeCompare(b.name)));
          router.refresh();
        }}
      />
    </div>
  );
}

function RolePicker({ idPrefix, roles, other, onRoles, onOther, legend }: { idPrefix: string; roles: Set<string>; other: string; onRoles: (roles: Set<string>) => void; onOther: (text: string) => void; legend: string }) {
  return (
    <fieldset className="fieldset">
      <legend>{legend}</legend>
      {MEANINGFUL.map(({ role, hint }) => (
        <div key={role} className="check">
          <input
            type="checkbox"
            id={`${idPrefix}-${role}`}
            checked={roles.has(role)}
            onChange={(e) => {
              const next = new Set(roles);
              if (e.target.checked) next.add(role);
              else next.delete(role);
              onRoles(next);
            }}
          />
          <label htmlFor={`${idPrefix}-${role}`}>
            {role} <span className="muted">({hint})</span>
          </label>
        </div>
      ))}
      <div className="field">
        <label htmlFor={`${idPrefix}-other`}>Other roles</label>
        <input id={`${idPrefix}-other`} value={other} onChange={(e) => onOther(e.target.value)} aria-describedby={`${idPrefix}-other-hint`} autoComplete="off" spellCheck={false} />
        <p id={`${idPrefix}-other-hint`} className="hint">
          Separated by commas, for example: finance, legal
        </p>
      </div>
    </fieldset>
  );
}

function AddPerson({ onAdded }: { onAdded: (person: Person) => void }) {
  const id = useId();
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [roles, setRoles] = useState<Set<string>>(new Set());
  const [other, setOther] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [added, setAdded] = useState<{ person: Person; password?: string }>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const login = name.trim();
    if (!NAME.test(login)) {
      setError("The name must start with a lower-case letter, then lower-case letters, digits, dots, dashes or underscores (for example fiona or f.ross).");
      return;
    }
    const extra = parseOtherRoles(other);
    if (extra.wrong.length) {
      setError(`These are not role names: ${extra.wrong.join(", ")}. A role is a lower-case word, such as finance.`);
      return;
    }
    if (password && password.length < 8) {
      setError("The password needs at least 8 characters; or leave it empty and Weft makes one.");
      return;
    }
    setBusy(true);
    const body = {
      name: login,
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      roles: [...new Set([...roles, ...extra.roles])],
      ...(password ? { password } : {}),
    };
    const result = await callApi<Person & { password?: string }>("POST", "/api/people", body);
    setBusy(false);
    if (!result.ok) {
      setError(result.status === 409 ? `Someone named ${login} exists already. Pick another name.` : result.message);
      return;
    }
    const { password: generated, ...person } = result.data;
    setAdded({ person: { ...person, tokens: person.tokens ?? 0 }, password: generated });
    onAdded({ ...person, tokens: person.tokens ?? 0 });
    setName("");
    setDisplayName("");
    setRoles(new Set());
    setOther("");
    setPassword("");
  }

  return (
    <section aria-labelledby={`${id}-heading`} className="panel">
      <h2 id={`${id}-heading`}>Add person</h2>
      <div role="status">
        {added ? (
          <div className="alert alert-success">
            <p>
              Added {added.person.displayName === added.person.name ? added.person.name : `${added.person.displayName} (${added.person.name})`}{added.person.roles.length ? ` with the roles ${added.person.roles.join(", ")}` : " with no roles"}.
            </p>
            {added.password ? (
              <p>
                Their password is <code className="secret">{added.password}</code>. Give it to them now: it is not shown again.
              </p>
            ) : (
              <p>They sign in with the password you chose.</p>
            )}
          </div>
        ) : null}
      </div>
      <form onSubmit={submit} className="form" noValidate>
        {error ? (
          <p role="alert" className="alert alert-error">
            {error}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" autoCapitalize="none" spellCheck={false} aria-describedby={`${id}-name-hint`} required />
          <p id={`${id}-name-hint`} className="hint">
            What they sign in with: lower-case, such as fiona
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-display`}>Display name</label>
          <input id={`${id}-display`} value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" />
        </div>
        <RolePicker idPrefix={`${id}-roles`} legend="Roles" roles={roles} other={other} onRoles={setRoles} onOther={setOther} />
        <div className="field">
          <label htmlFor={`${id}-password`}>Password</label>
          <input id={`${id}-password`} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby={`${id}-password-hint`} />
          <p id={`${id}-password-hint`} className="hint">
            Optional: leave empty and Weft makes one, shown once
          </p>
        </div>
        <button type="submit" className="button button-primary" disabled={busy}>
          Add person
        </button>
      </form>
    </section>
  );
}

type Panel = "edit" | "password" | "tokens" | "remove";

function PersonCard({ person, self, onChanged, onRemoved }: { person: Person; self: boolean; onChanged: (p: Person, message?: string) => void; onRemoved: (message: string) => void }) {
  const id = useId();
  const [panel, setPanel] = useState<Panel>();
  const toggle = (p: Panel) => setPanel((open) => (open === p ? undefined : p));
  return (
    <article className="card person" aria-labelledby={`${id}-name`}>
      <div className="person-head">
        <div>
          <h3 id={`${id}-name`} className="person-name">
            {person.displayName} <span className="muted mono">{person.name}</span>
            {self ? <span className="tag tag-self">you</span> : null}
          </h3>
          <p className="roles">
            <span className="visually-hidden">Roles: </span>
            {person.roles.length === 0 ? <span className="muted">no roles</span> : person.roles.map((r) => (
              <span key={r} className="tag">
                {r}
              </span>
            ))}
          </p>
        </div>
        <p className="muted small">
          Added <LocalTime iso={person.createdAt} />
          {person.tokens ? ` · ${person.tokens} ${person.tokens === 1 ? "token" : "tokens"}` : ""}
        </p>
      </div>
      <div className="actions actions-small">
        <button type="button" className="button button-small" aria-expanded={panel === "edit"} aria-controls={`${id}-panel`} onClick={() => toggle("edit")}>
          Edit
        </button>
        <button type="button" className="button button-small" aria-expanded={panel === "password"} aria-controls={`${id}-panel`} onClick={() => toggle("password")}>
          Reset password
        </button>
        <button type="button" className="button button-small" aria-expanded={panel === "tokens"} aria-controls={`${id}-panel`} onClick={() => toggle("tokens")}>
          Tokens
        </button>
        {self ? null : (
          <button type="button" className="button button-small button-danger-quiet" aria-expanded={panel === "remove"} aria-controls={`${id}-panel`} onClick={() => toggle("remove")}>
            Remove
          </button>
        )}
      </div>
      <div id={`${id}-panel`}>
        {panel === "edit" ? <EditPerson person={person} onDone={(p, m) => (setPanel(undefined), onChanged(p, m))} onCancel={() => setPanel(undefined)} /> : null}
        {panel === "password" ? <ResetPassword person={person} onCancel={() => setPanel(undefined)} /> : null}
        {panel === "tokens" ? <Tokens person={person} onCount={(n) => onChanged({ ...person, tokens: n })} /> : null}
        {panel === "remove" ? <RemovePerson person={person} onRemoved={onRemoved} onCancel={() => setPanel(undefined)} /> : null}
      </div>
    </article>
  );
}

function EditPerson({ person, onDone, onCancel }: { person: Person; onDone: (p: Person, message: string) => void; onCancel: () => void }) {
  const id = useId();
  const [displayName, setDisplayName] = useState(person.displayName);
  const [roles, setRoles] = useState(new Set(person.roles.filter((r) => MEANINGFUL.some((m) => m.role === r))));
  const [other, setOther] = useState(person.roles.filter((r) => !MEANINGFUL.some((m) => m.role === r)).join(", "));
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    const extra = parseOtherRoles(other);
    if (extra.wrong.length) {
      setError(`These are not role names: ${extra.wrong.join(", ")}. A role is a lower-case word, such as finance.`);
      return;
    }
    if (!displayName.trim()) {
      setError("The display name cannot be empty.");
      return;
    }
    setBusy(true);
    const result = await callApi<Person>("PATCH", `/api/people/${encodeURIComponent(person.name)}`, {
      displayName: displayName.trim(),
      roles: [...new Set([...roles, ...extra.roles])],
    });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    const p = result.data;
    onDone(p, `Saved ${p.displayName} (${p.name}): ${p.roles.length ? `roles ${p.roles.join(", ")}` : "no roles"}.`);
  }

  return (
    <form onSubmit={save} className="form panel-inset" noValidate>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-display`}>Display name</label>
        <input id={`${id}-display`} value={displayName} onChange={(e) => setDisplayName(e.target.value)} autoComplete="off" />
      </div>
      <RolePicker idPrefix={`${id}-roles`} legend={`Roles of ${person.displayName}`} roles={roles} other={other} onRoles={setRoles} onOther={setOther} />
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Save
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function ResetPassword({ person, onCancel }: { person: Person; onCancel: () => void }) {
  const id = useId();
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<{ password?: string }>();
  const [busy, setBusy] = useState(false);

  async function reset(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    if (password && password.length < 8) {
      setError("The password needs at least 8 characters; or leave it empty and Weft makes one.");
      return;
    }
    const chosen = password || newPassword();
    setBusy(true);
    const result = await callApi("PATCH", `/api/people/${encodeURIComponent(person.name)}`, { password: chosen });
    setBusy(false);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setDone(password ? {} : { password: chosen });
    setPassword("");
  }

  return (
    <form onSubmit={reset} className="form panel-inset" noValidate>
      <div role="status">
        {done ? (
          <div className="alert alert-success">
            <p>
              {person.displayName}&apos;s password is changed, and they are signed out everywhere.
              {done.password ? (
                <>
                  {" "}
                  The new password is <code className="secret">{done.password}</code>. Give it to them now: it is not shown again.
                </>
              ) : null}
            </p>
          </div>
        ) : null}
      </div>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-password`}>New password for {person.displayName}</label>
        <input id={`${id}-password`} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" aria-describedby={`${id}-hint`} />
        <p id={`${id}-hint`} className="hint">
          Optional: leave empty and Weft makes one. Either way they are signed out everywhere.
        </p>
      </div>
      <div className="actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          Set new password
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}

function Tokens({ person, onCount }: { person: Person; onCount: (n: number) => void }) {
  const id = useId();
  const [tokens, setTokens] = useState<Token[]>();
  const [error, setError] = useState<string>();
  const [label, setLabel] = useState("");
  const [created, setCreated] = useState<string>();

  async function load() {
    const result = await callApi<Token[]>("GET", `/api/people/${encodeURIComponent(person.name)}/tokens`);
    if (result.ok) setTokens(result.data);
    else setError(result.message);
    return result.ok ? result.data : undefined;
  }
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [person.name]);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    const result = await callApi<{ id: string; token: string }>("POST", `/api/people/${encodeURIComponent(person.name)}/tokens`, label.trim() ? { label: label.trim() } : {});
    if (!result.ok) {
      setError(result.message);
      return;
    }
    setCreated(result.data.token);
    setLabel("");
    const list = await load();
    if (list) onCount(list.length);
  }

  async function revoke(token: Token) {
    setError(undefined);
    setCreated(undefined);
    const result = await callApi("DELETE", `/api/tokens/${encodeURIComponent(token.id)}`);
    if (!result.ok) {
      setError(result.message);
      return;
    }
    const list = await load();
    if (list) onCount(list.length);
  }

  return (
    <div className="panel-inset">
      <h4 className="inset-title">Tokens of {person.displayName}</h4>
      <p className="hint">A token lets a program act as {person.displayName} through the API, sent as Authorization: Bearer.</p>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <div role="status">
        {created ? (
          <div className="alert alert-success">
            <p>
              New token: <code className="secret">{created}</code>. Copy it now: it is not shown again.
            </p>
          </div>
        ) : null}
      </div>
      {tokens === undefined ? (
        <p className="muted">Loading tokens…</p>
      ) : tokens.length === 0 ? (
        <p className="muted">No tokens.</p>
      ) : (
        <ul className="tokens">
          {tokens.map((t) => (
            <li key={t.id}>
              <span>
                <strong>{t.label || "Unlabelled token"}</strong>{" "}
                <span className="muted small">
                  created <LocalTime iso={t.createdAt} />
                  {t.lastUsedAt ? (
                    <>
                      , last used <LocalTime iso={t.lastUsedAt} />
                    </>
                  ) : (
                    ", never used"
                  )}
                </span>
              </span>
              <button type="button" className="button button-small button-danger-quiet" onClick={() => revoke(t)}>
                Revoke {t.label || "token"}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={create} className="inline-form">
        <div className="field">
          <label htmlFor={`${id}-label`}>Label of a new token</label>
          <input id={`${id}-label`} value={label} onChange={(e) => setLabel(e.target.value)} autoComplete="off" placeholder="what it is for" />
        </div>
        <button type="submit" className="button">
          Create token
        </button>
      </form>
    </div>
  );
}

function RemovePerson({ person, onRemoved, onCancel }: { person: Person; onRemoved: (message: string) => void; onCancel: () => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  async function remove() {
    setBusy(true);
    const result = await callApi("DELETE", `/api/people/${encodeURIComponent(person.name)}`);
    setBusy(false);
    if (!result.ok && result.status !== 404) {
      setError(result.message);
      return;
    }
    onRemoved(`Removed ${person.displayName} (${person.name}). They can no longer sign in, and their tokens no longer work.`);
  }
  return (
    <div className="panel-inset confirm" role="group" aria-label={`Remove ${person.displayName}?`}>
      <p>
        <strong>Remove {person.displayName}?</strong> They are signed out, can no longer sign in, and their tokens stop working. Runs they
        started or decided keep their name.
      </p>
      {error ? (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" className="button button-danger" onClick={remove} disabled={busy}>
          Remove {person.displayName}
        </button>
        <button type="button" className="button button-quiet" onClick={onCancel}>
          Keep
        </button>
      </div>
    </div>
  );
}
