import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../runtime/project.js';
import { APEX_OPERATIONS_FILE, apexOperations } from '../../../scripts/salesforce-operations.js';

describe('examples/salesforce: persisted-operation ids', () => {
  it('should hold in OrderVisibilityOperations.cls exactly the lwc ids of operations/manifest.json (npm run salesforce:operations)', () => {
    const root = projectRoot();
    const manifest = JSON.parse(readFileSync(join(root, 'operations/manifest.json'), 'utf8')) as {
      operations: { id: string; name: string; type: string; clientName?: string }[];
    };
    const apex = readFileSync(join(root, APEX_OPERATIONS_FILE), 'utf8');
    expect(apex).toBe(apexOperations(manifest));
    for (const op of manifest.operations.filter((o) => o.clientName === 'lwc')) expect(apex).toContain(`'${op.id}'`);
  });

  it('should send from the Apex controller only ids that class defines', () => {
    const controller = readFileSync(
      join(projectRoot(), 'examples/salesforce/force-app/main/default/classes/OrderVisibilityController.cls'),
      'utf8',
    );
    const apex = readFileSync(join(projectRoot(), APEX_OPERATIONS_FILE), 'utf8');
    const used = [...controller.matchAll(/OrderVisibilityOperations\.(\w+)/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(apex).toContain(`public static final String ${name} =`);
  });
});
