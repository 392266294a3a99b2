import { applyFilters, paginate } from './ec2-describe.js';
import { missingParameter, notFoundError } from './ec2-errors.js';
import { resourceTypeOf } from './ec2-fake-state.js';
import { type ActionHandler, RETURN_TRUE } from './ec2-handler.js';

interface TagRow {
  resourceId: string;
  resourceType: string;
  key: string;
  value: string;
}

/** CreateTags, DeleteTags, DescribeTags. */
export const tagHandlers: Record<string, ActionHandler> = {
  CreateTags({ params, state }) {
    const ids = params.strings('ResourceId');
    if (ids.length === 0) throw missingParameter('ResourceId');
    const tags = params.tags();
    if (tags.length === 0) throw missingParameter('Tag');
    const missing = ids.filter((id) => !state.exists(id));
    if (missing.length > 0) throw notFoundError(missing);
    for (const id of ids) state.setTags(id, tags);
    return RETURN_TRUE;
  },

  DeleteTags({ params, state }) {
    const ids = params.strings('ResourceId');
    if (ids.length === 0) throw missingParameter('ResourceId');
    const tags = params
      .list('Tag')
      .map((tag) => ({ key: tag.string('Key') ?? '', value: tag.string('Value') }));
    for (const id of ids) state.deleteTags(id, tags);
    return RETURN_TRUE;
  },

  DescribeTags({ params, state }) {
    const rows: TagRow[] = [];
    for (const [resourceId, tags] of state.tags) {
      if (!state.exists(resourceId)) continue;
      for (const [key, value] of tags) {
        rows.push({ resourceId, resourceType: resourceTypeOf(resourceId) ?? 'unknown', key, value });
      }
    }
    const filtered = applyFilters(rows, params.filters(), (row, name) => {
      switch (name) {
        case 'key':
          return [row.key];
        case 'value':
          return [row.value];
        case 'resource-id':
          return [row.resourceId];
        case 'resource-type':
          return [row.resourceType];
        default:
          if (name.startsWith('tag:')) return [state.tags.get(row.resourceId)?.get(name.slice(4))];
          return undefined;
      }
    });
    const page = paginate(filtered, params);
    return { tagSet: page.items.map((row) => ({ ...row })), nextToken: page.nextToken };
  },
};
