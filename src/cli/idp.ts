/**
 * `bridge idp`: the bundled OpenID Connect identity provider (simulators/idp/, oidc-provider), for local
 * runs and the demo; `bridge idp token <name>` gets an access token from a running one through the real
 * flows. A development tool: it refuses to run with BRIDGE_ENV=production. Like `bridge simulate`, it
 * loads the simulators lazily, so the bridge itself never depends on them.
 */
import { type CliIo, EXIT } from "./io.ts";
import { parseOptions, quoteArg, usageError } from "./usage.ts";

export const DEFAULT_IDP_PORT = 9091;

export const HELP = `usage: bridge idp [--port N] [--host H] [--issuer URL] [--password P] [--ttl S]
       bridge idp token <person-or-system> [--issuer URL] [--password P] [--secret S]

Runs the development identity provider (OpenID Connect, oidc-provider) until interrupted, and prints its
issuer URL with how to get a token for each role. Never for production: it refuses BRIDGE_ENV=production.
Seeded people sign in with authorization code + PKCE (a plain HTML form, no JavaScript needed); agency
systems use client credentials. Access tokens are JWTs for the audience oasys-arms-bridge with HMPPS-Auth
style claims: sub, user_name (people), client_id, authorities (ROLE_ARMS_BRIDGE_...), auth_source,
agency, force (police), lao_access (people allowed to see limited-access offenders).

Point the API at it: AUTH_ISSUER=<the issuer printed> (AUTH_JWKS_URL defaults to <issuer>/jwks).

Options
  --port N        listen port (default ${DEFAULT_IDP_PORT}; 0 = any free port)
  --host H        listen address (default 127.0.0.1; 0.0.0.0 in a container)
  --issuer URL    the issuer tokens name, when callers reach it by another address (a container)
  --password P    the password of every seeded person (default: the dev password it prints)
  --ttl S         access token lifetime in seconds (default 1200)

bridge idp token <name> prints an access token for a seeded person (signing in through the form) or
system (client credentials), from the issuer at --issuer (default AUTH_ISSUER, else
http://127.0.0.1:${DEFAULT_IDP_PORT}).
`;

export const USAGE =
  "bridge idp [--port N] [--host H] [--issuer URL] [--password P] [--ttl S] | token <name>";

type Env = Readonly<Record<string, string | undefined>>;

function parse(argv: string[], io: CliIo) {
  return parseOptions(io, USAGE, {
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      port: { type: "string" },
      host: { type: "string" },
      issuer: { type: "string" },
      password: { type: "string" },
      secret: { type: "string" },
      ttl: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/** What `bridge idp` prints once listening: the issuer, and how each role gets a token. */
export function describeIdp(idp: {
  issuer: string;
  password: string;
  users: { username: string; role: string }[];
  clients: { clientId: string; clientSecret: string; role: string }[];
}): string {
  const width = Math.max(
    ...[...idp.users.map((u) => u.username), ...idp.clients.map((c) => c.clientId)].map((n) => n.length),
  );
  const lines = [
    `issuer ${idp.issuer} (development only: synthetic users, dev credentials)`,
    `  for the API: AUTH_ISSUER=${idp.issuer}   (keys at ${idp.issuer}/jwks)`,
    `people: authorization code + PKCE, password ${idp.password}`,
    ...idp.users.map((u) => `  ${u.username.padEnd(width)}  ${u.role}`),
    `  browser:  ${idp.issuer}/dev/sign-in  (sign in; the page shows the access token)`,
    `  terminal: TOKEN=$(npx bridge idp token data.team.1 --issuer ${idp.issuer})`,
    "systems: client credentials (client id : secret)",
    ...idp.clients.map((c) => `  ${c.clientId.padEnd(width)}  ${c.role}; secret ${c.clientSecret}`),
    `  curl -s -u arms-system:arms-system-dev-secret -d grant_type=client_credentials ${idp.issuer}/token`,
  ];
  return lines.map((l) => `bridge idp: ${l}\n`).join("");
}

async function tokenCommand(
  name: string | undefined,
  values: NonNullable<ReturnType<typeof parse>>["values"],
  io: CliIo,
  env: Env,
) {
  if (!name) return usageError(io, USAGE, "token: name a seeded person or system");
  const idp = await import("../../simulators/idp/index.ts");
  const issuer = (values.issuer ?? env.AUTH_ISSUER ?? `http://127.0.0.1:${DEFAULT_IDP_PORT}`).replace(
    /\/+$/,
    "",
  );
  try {
    const token = idp.findUser(name)
      ? await idp.passwordSignIn(issuer, { username: name, password: values.password ?? idp.DEV_PASSWORD })
      : idp.findClient(name)
        ? await idp.clientCredentialsToken(issuer, {
            clientId: name,
            clientSecret: values.secret ?? idp.devSecret(name),
          })
        : null;
    if (token === null) {
      io.stderr.write(`bridge idp token: '${name}' is neither a seeded person nor a seeded system\n`);
      return EXIT.FATAL;
    }
    io.stdout.write(`${token}\n`);
    return EXIT.OK;
  } catch (e) {
    io.stderr.write(`bridge idp token: ${(e as Error).message}\n`);
    return EXIT.FATAL;
  }
}

export async function idpCommand(
  argv: string[],
  io: CliIo,
  stop?: AbortSignal,
  env: Env = process.env,
): Promise<number> {
  const parsed = parse(argv, io);
  if (!parsed) return EXIT.FATAL;
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT.OK;
  }
  if (env.BRIDGE_ENV?.trim() === "production") {
    io.stderr.write("bridge idp: a development tool; it does not run with BRIDGE_ENV=production\n");
    return EXIT.FATAL;
  }
  if (positionals[0] === "token") return tokenCommand(positionals[1], values, io, env);
  if (positionals[0] !== undefined)
    return usageError(io, USAGE, `unexpected argument ${quoteArg(positionals[0])}`);
  const port = Number(values.port ?? DEFAULT_IDP_PORT);
  const ttl = Number(values.ttl ?? "1200");
  const usage = (message: string) => usageError(io, USAGE, message);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return usage("--port must be 0 to 65535");
  if (!Number.isInteger(ttl) || ttl < 1) return usage("--ttl must be a whole number of seconds");
  if (values.issuer && !/^https?:\/\/[^\s]+$/.test(values.issuer))
    return usage("--issuer must be an http(s) URL");

  const { startIdp } = await import("../../simulators/idp/index.ts");
  const idp = await startIdp({
    port,
    host: values.host ?? "127.0.0.1",
    accessTokenTtlS: ttl,
    ...(values.issuer ? { issuer: values.issuer } : {}),
    ...(values.password ? { password: values.password } : {}),
  });
  io.stdout.write(describeIdp(idp));
  await new Promise<void>((resolve) => {
    if (stop) {
      if (stop.aborted) resolve();
      stop.addEventListener("abort", () => resolve(), { once: true });
    } else {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    }
  });
  await idp.close();
  io.stdout.write("bridge idp: stopped\n");
  return EXIT.OK;
}
