/**
 * A project whose HEAD already drifts, built in a git repository of its own:
 * the committed schema has a foreign key the team dropped from the database
 * (Post.author), an index no migration made (Post.authorId) and a nullable
 * column added by hand (User.bio). The language-server test and the VS Code
 * end-to-end test open it as a new user would.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const INIT_SQL = `-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "email" TEXT NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL,
    "title" TEXT NOT NULL,
    "authorId" INTEGER NOT NULL,

    CONSTRAINT "Post_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" SERIAL NOT NULL,
    "label" TEXT NOT NULL,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);
`;

/** The committed schema: Post's foreign key and index, and User.bio, are in no migration. */
export const SCHEMA = `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    Int     @id @default(autoincrement())
  email String
  bio   String?
  posts Post[]
}

model Post {
  id       Int    @id @default(autoincrement())
  title    String
  authorId Int
  author   User   @relation(fields: [authorId], references: [id])

  @@index([authorId])
}

model Tag {
  id    Int    @id @default(autoincrement())
  label String
}
`;

/** The one diagnostic a clean checkout of it shows, on the datasource block. */
export const SUMMARY =
  'This schema already differs from its migrations in 3 places (1 foreign key, 1 index, 1 new column), as committed at HEAD: ' +
  'the next `prisma migrate dev` puts all of them into your migration, whatever you change. 2 of them would be unsafe to deploy as Prisma writes them. ' +
  'Not your edit, so not marked line by line; "Check migration safety" lists each with its SQL and risk.';

/** Writes the project into `root` (an empty folder), commits it, and returns `root`. */
export function driftingRepository(root: string): string {
  const git = (...args: string[]): void => {
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd: root, stdio: 'ignore' });
  };
  fs.mkdirSync(path.join(root, 'prisma', 'migrations', '20240101000000_init'), { recursive: true });
  fs.writeFileSync(path.join(root, 'prisma', 'migrations', 'migration_lock.toml'), 'provider = "postgresql"\n');
  fs.writeFileSync(path.join(root, 'prisma', 'migrations', '20240101000000_init', 'migration.sql'), INIT_SQL);
  fs.writeFileSync(path.join(root, 'prisma', 'schema.prisma'), SCHEMA);
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'a project that already drifts');
  return root;
}
