import type { Machine } from '@trellis/core';

const started = Date.now();

/** Prints one numbered step of the quickstart. */
export function step(message: string): void {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(5);
  console.log(`\n[${seconds}s] ${message}`);
}

/** Prints an indented detail line. */
export function detail(message: string): void {
  console.log(`         ${message}`);
}

/** Prints machines as a small table. */
export function machineTable(machines: readonly Machine[]): void {
  const rows = machines.map((machine) => [
    machine.name,
    machine.phase,
    machine.zone ?? '-',
    machine.addresses.map((address) => address.address).join(','),
    machine.providerId,
  ]);
  const header = ['NAME', 'PHASE', 'ZONE', 'ADDRESSES', 'PROVIDER ID'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  for (const row of [header, ...rows])
    detail(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));
}
