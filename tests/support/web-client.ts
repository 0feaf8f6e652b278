/**
 * A browser without JavaScript, over HTTP: cookies kept per host (as a browser does: not per port) and
 * sent back by path, redirects followed by hand (a 303 becomes a GET), forms posted urlencoded. Enough to
 * sign in to the web pages through the identity provider's real form and use them (tests/web/).
 */

interface Cookie {
  value: string;
  path: string;
}

export interface Page {
  status: number;
  url: string;
  headers: Headers;
  html: string;
}

export class WebClient {
  /** host -> name -> cookie */
  readonly cookies = new Map<string, Map<string, Cookie>>();
  /** Every Set-Cookie header received, by host, as sent (for checking attributes). */
  readonly setCookies: { host: string; header: string }[] = [];

  private jar(host: string): Map<string, Cookie> {
    let jar = this.cookies.get(host);
    if (!jar) {
      jar = new Map();
      this.cookies.set(host, jar);
    }
    return jar;
  }

  cookie(url: string, name: string): string | undefined {
    return this.jar(new URL(url).hostname).get(name)?.value;
  }

  private take(url: URL, res: Response): void {
    for (const header of res.headers.getSetCookie()) {
      this.setCookies.push({ host: url.hostname, header });
      const [pair = "", ...attributes] = header.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      if (eq < 1) continue;
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) || "/";
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || /^expires=.*1970/i.test(a));
      if (value === "" || expired) this.jar(url.hostname).delete(name);
      else this.jar(url.hostname).set(name, { value, path });
    }
  }

  private header(url: URL): string {
    const matches = (path: string) =>
      url.pathname === path || url.pathname.startsWith(path.endsWith("/") ? path : `${path}/`);
    return [...this.jar(url.hostname)]
      .filter(([, c]) => matches(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join("; ");
  }

  /** One request, no redirect followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const cookie = this.header(target);
    const res = await fetch(target, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) },
    });
    this.take(target, res);
    return res;
  }

  /** A request and every redirect after it, to the page it ends on. */
  async follow(url: string, init: RequestInit = {}): Promise<Page> {
    let current = url;
    let res = await this.request(current, init);
    for (let hops = 0; res.status >= 300 && res.status < 400; hops++) {
      if (hops > 15) throw new Error(`too many redirects from ${url}`);
      const location = res.headers.get("location");
      if (!location) break;
      await res.body?.cancel();
      current = new URL(location, current).href;
      res = await this.request(current);
    }
    return { status: res.status, url: current, headers: res.headers, html: await res.text() };
  }

  /** Posts a form (urlencoded) and follows where it leads. */
  post(url: string, fields: Record<string, string>): Promise<Page> {
    return this.follow(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Opens `url` on the web pages; when that leads to the identity provider's sign-in form, fills it in
   * and follows the sign-in back to the page.
   */
  async signIn(url: string, person: { username: string; password: string }): Promise<Page> {
    const page = await this.follow(url);
    const action = formAction(page.html);
    if (!action || !/\/interaction\//.test(action)) {
      throw new Error(`no sign-in form at ${page.url} (status ${page.status})`);
    }
    return this.post(new URL(action, page.url).href, person);
  }
}

/** The first form's action, unescaped. */
export function formAction(html: string): string | undefined {
  return /<form[^>]*\saction="([^"]+)"/i.exec(html)?.[1]?.replace(/&amp;/g, "&");
}

/** The value of a hidden input (`_csrf`). */
export function hiddenValue(html: string, name: string): string | undefined {
  return new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`, "i").exec(html)?.[1];
}

/** The page's <title>. */
export function titleOf(html: string): string {
  return (/<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? "").replace(/\s+/g, " ").trim();
}
