import type { FakeRequest, FakeResponse } from './fake-types.js';

/** What a matched route hands its handler. */
export interface RouteMatch {
  /** The request. */
  readonly request: FakeRequest;
  /** Path parameters by name (`{project}` → `params.project`), URL-decoded. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string. */
  readonly query: URLSearchParams;
}

/** Answers one matched request. */
export type RouteHandler = (match: RouteMatch) => FakeResponse | Promise<FakeResponse>;

interface Route {
  readonly method: string;
  readonly action: string;
  readonly pattern: RegExp;
  readonly names: string[];
  readonly query: Readonly<Record<string, string>>;
  readonly handler: RouteHandler;
}

/** A request the router found a route for. */
export interface RoutedRequest {
  readonly action: string;
  readonly handler: RouteHandler;
  readonly match: RouteMatch;
}

function compile(template: string): { pattern: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}*]+)(\*)?\}$/.exec(part);
      if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(name[1]!);
      return name[2] ? '(.+)' : '([^/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^${source}$`), names };
}

/**
 * Routes REST/JSON requests by method, path template and query: `{name}` matches one path
 * segment, `{name*}` the rest of the path; a route may require query values
 * (`{ comp: 'blocklist' }`). Routes are tried in the order they were added. Each route names the
 * action it stands for, which the call log and fault rules use.
 *
 * @example
 * ```ts
 * const router = new FakeRouter()
 *   .add('POST', '/compute/v1/projects/{project}/zones/{zone}/instances', 'compute.instances.insert', insert)
 *   .add('GET', '/compute/v1/projects/{project}/zones/{zone}/instances/{name}', 'compute.instances.get', get);
 * const server = await startFakeServer({ actionOf: router.actionOf, handle: router.handle, renderFault });
 * ```
 */
export class FakeRouter {
  readonly #routes: Route[] = [];
  readonly #notFound: (request: FakeRequest) => FakeResponse;

  /** @param notFound answers a request no route matches, in the cloud's error shape. @default a JSON 404 */
  constructor(notFound?: (request: FakeRequest) => FakeResponse) {
    this.#notFound =
      notFound ??
      ((request) =>
        jsonResponse(404, {
          error: { code: 404, message: `no route for ${request.method} ${request.url.pathname}` },
        }));
  }

  /** Adds a route; returns the router for chaining. */
  add(
    method: string,
    template: string,
    action: string,
    handler: RouteHandler,
    options: { query?: Record<string, string> } = {},
  ): this {
    const { pattern, names } = compile(template);
    this.#routes.push({
      method: method.toUpperCase(),
      action,
      pattern,
      names,
      query: options.query ?? {},
      handler,
    });
    return this;
  }

  /** Finds the route of a request. */
  route(request: FakeRequest): RoutedRequest | undefined {
    for (const route of this.#routes) {
      if (route.method !== request.method.toUpperCase()) continue;
      const found = route.pattern.exec(request.url.pathname);
      if (!found) continue;
      if (Object.entries(route.query).some(([key, value]) => request.url.searchParams.get(key) !== value))
        continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1]!);
      });
      return {
        action: route.action,
        handler: route.handler,
        match: { request, params, query: request.url.searchParams },
      };
    }
    return undefined;
  }

  /** The action of a request (`Unknown` when no route matches): pass as `actionOf`. */
  readonly actionOf = (request: FakeRequest): string => this.route(request)?.action ?? 'Unknown';

  /** Answers a request by its route: pass as `handle`. */
  readonly handle = (request: FakeRequest): FakeResponse | Promise<FakeResponse> => {
    const routed = this.route(request);
    return routed ? routed.handler(routed.match) : this.#notFound(request);
  };
}

/**
 * The action of a query-style request (EC2, Alibaba RPC): a header such as `x-acs-action` when
 * present, else the `Action` parameter of the query string or of a form-encoded body.
 */
export function queryAction(
  request: FakeRequest,
  options: { header?: string; parameter?: string } = {},
): string | undefined {
  const header = options.header ? request.headers[options.header.toLowerCase()] : undefined;
  const fromHeader = Array.isArray(header) ? header[0] : header;
  if (fromHeader) return fromHeader;
  const parameter = options.parameter ?? 'Action';
  const fromQuery = request.url.searchParams.get(parameter);
  if (fromQuery) return fromQuery;
  const type = String(request.headers['content-type'] ?? '');
  if (type.includes('application/x-www-form-urlencoded') && request.body.length > 0) {
    return new URLSearchParams(request.body.toString('utf8')).get(parameter) ?? undefined;
  }
  return undefined;
}

/** A JSON answer. */
export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): FakeResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** An XML answer (the document as written by the fake). */
export function xmlResponse(
  status: number,
  document: string,
  headers: Record<string, string> = {},
): FakeResponse {
  return { status, headers: { 'content-type': 'application/xml', ...headers }, body: document };
}

/** The request body as JSON; `undefined` for an empty body. Throws a `SyntaxError` for malformed JSON. */
export function readJson<T = unknown>(request: FakeRequest): T | undefined {
  if (request.body.length === 0) return undefined;
  return JSON.parse(request.body.toString('utf8')) as T;
}
