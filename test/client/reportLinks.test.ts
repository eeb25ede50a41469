import * as assert from 'assert';
import { linksRelativeTo } from '../../client/src/reportLinks';

describe('client: report links', () => {
  it('turns file: links into links relative to the report file, keeping the line fragment, and leaves other links alone', () => {
    const markdown = [
      '[prisma/schema.prisma:13](file:///tmp/ws/shop/prisma/schema.prisma#L13) · not in any migration yet',
      '- [rule documentation](file:///opt/ext/docs/rules/add-required-column.md)',
      '| plan | [prisma/migration-plans/x/plan.md](file:///tmp/ws/my%20shop/prisma/migration-plans/x%20%281%29/plan.md) |',
      '[Prisma](https://www.prisma.io/docs) and a [file: in text](not-a-link)',
    ].join('\n');
    assert.strictEqual(
      linksRelativeTo(markdown, '/home/dev/.config/Code/User/workspaceStorage/abc/guard/migration-safety-report.md'),
      [
        '[prisma/schema.prisma:13](../../../../../../../../tmp/ws/shop/prisma/schema.prisma#L13) · not in any migration yet',
        '- [rule documentation](../../../../../../../../opt/ext/docs/rules/add-required-column.md)',
        '| plan | [prisma/migration-plans/x/plan.md](../../../../../../../../tmp/ws/my%20shop/prisma/migration-plans/x%20%281%29/plan.md) |',
        '[Prisma](https://www.prisma.io/docs) and a [file: in text](not-a-link)',
      ].join('\n'),
    );
  });

  it('links a file beside the report by its name, and leaves a link to the report\'s own folder as it was', () => {
    assert.strictEqual(linksRelativeTo('[plan](file:///r/plan.md#L2)', '/r/migration-safety-report.md'), '[plan](plan.md#L2)');
    assert.strictEqual(linksRelativeTo('[up](file:///)', '/r/migration-safety-report.md'), '[up](..)');
    assert.strictEqual(linksRelativeTo('[here](file:///r)', '/r/migration-safety-report.md'), '[here](file:///r)');
  });
});
