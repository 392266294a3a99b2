import { invalidArgument, TrellisError } from '@trellis/core';
import { describe, expect, it } from 'vitest';
import { describeError, formatError, formatTable } from './output-format.js';

describe('formatTable', () => {
  it('aligns columns under their headers and shows missing values as -', () => {
    const text = formatTable(
      [
        { name: 'alpha', zone: 'zone-a', addresses: ['127.0.0.1'] },
        { name: 'b', zone: undefined, addresses: [] },
      ],
      [
        { header: 'NAME', value: (row) => row.name },
        { header: 'ZONE', value: (row) => row.zone },
        { header: 'ADDRESSES', value: (row) => row.addresses },
      ],
    );
    expect(text).toBe('NAME   ZONE    ADDRESSES\nalpha  zone-a  127.0.0.1\nb      -       -\n');
  });
});

describe('formatError', () => {
  it('prints the code, the message without repeating the issues, and one line per field', () => {
    const error = invalidArgument('invalid local infrastructure config', [
      { path: 'networks.zones[1].workers', message: 'overlaps networks.zones[0].workers' },
      { path: '', message: 'root problem' },
    ]);
    const report = describeError(error);
    expect(report.exitCode).toBe(2);
    expect(formatError(report, 'table')).toBe(
      'error [InvalidArgument]: invalid local infrastructure config\n' +
        '  networks.zones[1].workers: overlaps networks.zones[0].workers\n' +
        '  root problem\n',
    );
    expect(JSON.parse(formatError(report, 'json')).error.issues).toHaveLength(2);
  });

  it('maps codes to documented exit codes', () => {
    const exit = (code: TrellisError['code']) =>
      describeError(new TrellisError({ code, message: 'x' })).exitCode;
    expect([exit('NotFound'), exit('AlreadyExists'), exit('OutOfRange'), exit('Unauthenticated')]).toEqual([
      3, 4, 4, 5,
    ]);
    expect([exit('Throttled'), exit('Unavailable'), exit('ResourceExhausted'), exit('Canceled')]).toEqual([
      6, 6, 6, 130,
    ]);
    expect([exit('Internal'), describeError(new Error('boom')).exitCode]).toEqual([1, 1]);
    expect(describeError(new Error('boom')).code).toBe('Internal');
  });
});
