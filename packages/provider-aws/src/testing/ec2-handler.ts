import type { Ec2FakeState } from './ec2-fake-state.js';
import type { QueryParams } from './ec2-query.js';
import type { XmlObject } from './ec2-xml.js';

/** What an action handler gets: the parsed parameters, the fake's state, and the request's region. */
export interface ActionContext {
  params: QueryParams;
  state: Ec2FakeState;
  region: string;
  requestId: string;
}

/** Handles one action; returns the response's content (without the wrapper and requestId) or throws a FakeApiError. */
export type ActionHandler = (context: ActionContext) => XmlObject | undefined;

/** The availability zones the fake offers in a region (`<region>a`, `b`, `c`). */
export function zonesOf(region: string): string[] {
  return ['a', 'b', 'c'].map((letter) => `${region}${letter}`);
}

/** EC2's `<return>true</return>` body. */
export const RETURN_TRUE: XmlObject = { return: true };
