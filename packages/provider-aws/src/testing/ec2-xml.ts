import type { FakeResponse } from '@trellis/testkit/fake';

/** A value rendered as XML: objects become elements by key (in key order), arrays become list items. */
export type XmlValue = string | number | boolean | Date | undefined | null | XmlValue[] | XmlObject;
export interface XmlObject {
  [name: string]: XmlValue;
}

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** Escapes text for XML content. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => {
    switch (character) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&apos;';
    }
  });
}

function renderScalar(value: string | number | boolean | Date): string {
  if (value instanceof Date) return value.toISOString();
  return escapeXml(String(value));
}

/** Renders the children of an element; lists use `<item>` (EC2) or `<member>` (IAM) wrappers. */
export function renderXml(value: XmlValue, itemName: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    return value.map((item) => `<${itemName}>${renderXml(item, itemName)}</${itemName}>`).join('');
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    let out = '';
    for (const [name, child] of Object.entries(value)) {
      if (child === undefined || child === null) continue;
      out += `<${name}>${renderXml(child, itemName)}</${name}>`;
    }
    return out;
  }
  return renderScalar(value);
}

const XML_HEADERS = { 'content-type': 'text/xml;charset=UTF-8' };

/** An EC2 success response: `<ActionResponse xmlns=...><requestId/>...</ActionResponse>`. */
export function ec2Response(action: string, requestId: string, body: XmlObject): FakeResponse {
  const content = renderXml({ requestId, ...body }, 'item');
  return {
    status: 200,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NAMESPACE}">${content}</${action}Response>`,
  };
}

/** An EC2 error response. */
export function ec2ErrorResponse(
  code: string,
  message: string,
  requestId: string,
  status: number,
): FakeResponse {
  const error = renderXml({ Code: code, Message: message }, 'item');
  return {
    status,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${error}</Error></Errors><RequestID>${escapeXml(requestId)}</RequestID></Response>`,
  };
}

/** An IAM success response: `<ActionResponse><ActionResult>...</ActionResult><ResponseMetadata/>`. */
export function iamResponse(action: string, requestId: string, result: XmlObject | undefined): FakeResponse {
  const resultXml = result ? `<${action}Result>${renderXml(result, 'member')}</${action}Result>` : '';
  return {
    status: 200,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${IAM_NAMESPACE}">${resultXml}<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** An IAM error response. */
export function iamErrorResponse(
  code: string,
  message: string,
  requestId: string,
  status: number,
): FakeResponse {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  const error = renderXml({ Type: type, Code: code, Message: message }, 'member');
  return {
    status,
    headers: { ...XML_HEADERS, 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${IAM_NAMESPACE}"><Error>${error}</Error><RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`,
  };
}
