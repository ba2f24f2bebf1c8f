/**
 * A small, realistic `documents` table for trying the DuckDB query tools (the MCP quick start
 * serves query tools over it). Deterministic: the same file content on every run.
 */
import { DOUBLE, LIST, listValue } from "@duckdb/node-api";
import { openDuckDB } from "./database.js";

/** Size of the sample embeddings produced by {@link hashEmbedding}. */
export const SAMPLE_EMBEDDING_DIMENSIONS = 64;

type Category = "engineering" | "legal" | "finance" | "support" | "research";

const DOCUMENTS: Array<[title: string, category: Category, summary: string]> = [
  [
    "Migrating the billing service to Postgres 16",
    "engineering",
    "Plan and rollback steps for moving billing from MySQL to Postgres 16 with zero downtime.",
  ],
  [
    "Incident report: checkout latency spike",
    "engineering",
    "A cache stampede after a deploy raised checkout latency to four seconds for twenty minutes.",
  ],
  [
    "Designing idempotent payment webhooks",
    "engineering",
    "How webhook handlers use idempotency keys so retried payment events are processed once.",
  ],
  [
    "Kubernetes autoscaling for the search cluster",
    "engineering",
    "Horizontal pod autoscaling tuned on query latency instead of CPU for the search cluster.",
  ],
  [
    "Observability standards for new services",
    "engineering",
    "Every service ships structured logs, RED metrics and traces before it takes traffic.",
  ],
  [
    "Retiring the legacy reporting cron jobs",
    "engineering",
    "Nightly cron reports move to the event pipeline; three jobs are deleted, two rewritten.",
  ],
  [
    "Load testing the mobile API gateway",
    "engineering",
    "The gateway sustained 12k requests per second; connection pooling was the bottleneck.",
  ],
  [
    "Database backup and restore drill",
    "engineering",
    "Quarterly restore drill: full restore took 41 minutes, inside the one hour objective.",
  ],
  [
    "Master services agreement template update",
    "legal",
    "The MSA template now caps liability at twelve months of fees and adds a data processing annex.",
  ],
  [
    "Data processing agreement with EU customers",
    "legal",
    "Standard contractual clauses and sub-processor notice periods for customers in the EU.",
  ],
  [
    "Trademark filing for the new product name",
    "legal",
    "Clearance search found no conflicts; filings planned in the US, EU and UK.",
  ],
  [
    "Open source license review for dependencies",
    "legal",
    "Audit of third-party licenses: two copyleft packages replaced, attribution file updated.",
  ],
  [
    "Employee invention assignment policy",
    "legal",
    "Clarifies ownership of inventions made with company resources and the disclosure process.",
  ],
  [
    "Vendor contract renewal: cloud storage",
    "legal",
    "Renewal terms for cloud storage with a price lock for two years and improved exit terms.",
  ],
  [
    "Privacy notice revision for analytics cookies",
    "legal",
    "Consent banner and privacy notice changes so analytics cookies load only after consent.",
  ],
  [
    "Q3 revenue forecast",
    "finance",
    "Revenue forecast of 4.2 million for Q3 driven by enterprise renewals and a price increase.",
  ],
  [
    "Cloud spend reduction plan",
    "finance",
    "Reserved instances and storage tiering cut projected cloud spend by eighteen percent.",
  ],
  [
    "Annual budget planning guidelines",
    "finance",
    "Teams submit headcount and vendor budgets by October with a one page justification.",
  ],
  [
    "Travel and expense policy update",
    "finance",
    "Economy class for flights under six hours; receipts required for expenses above 25 euros.",
  ],
  [
    "Accounts receivable aging review",
    "finance",
    "Invoices older than ninety days doubled; collections outreach starts at sixty days.",
  ],
  [
    "Pricing change for the team plan",
    "finance",
    "Team plan moves from per-seat to tiered pricing; existing customers keep prices for a year.",
  ],
  [
    "Payroll provider migration",
    "finance",
    "Payroll moves to a new provider in January; parallel runs in November and December.",
  ],
  [
    "Support playbook for password reset issues",
    "support",
    "Steps to verify identity and reset passwords when the reset email never arrives.",
  ],
  [
    "Escalation path for enterprise outages",
    "support",
    "Severity levels, paging rules and customer updates every thirty minutes during outages.",
  ],
  [
    "Refund policy for annual subscriptions",
    "support",
    "Annual plans are refundable pro rata within thirty days; later refunds need approval.",
  ],
  [
    "Top ten customer questions in September",
    "support",
    "Export formats, SSO setup and invoice downloads were the most frequent questions.",
  ],
  [
    "Improving first response time",
    "support",
    "Auto-triage by product area cut median first response time from five hours to two.",
  ],
  [
    "Handling data deletion requests",
    "support",
    "How agents verify and complete customer data deletion requests within thirty days.",
  ],
  [
    "Support macros for billing disputes",
    "support",
    "Macro replies for double charges, failed payments and currency conversion questions.",
  ],
  [
    "Onboarding checklist for new support agents",
    "support",
    "First week checklist: tools access, shadowing, and the ten most common ticket types.",
  ],
  [
    "User interviews on the reporting dashboard",
    "research",
    "Twelve interviews show users export data to spreadsheets because filters are hard to find.",
  ],
  [
    "Churn analysis for small business accounts",
    "research",
    "Accounts without an integration in the first month churn three times as often.",
  ],
  [
    "Benchmark of embedding models for search",
    "research",
    "Compared four embedding models on support tickets; the small model was within two points.",
  ],
  [
    "Survey results on mobile app usage",
    "research",
    "Sixty percent of respondents use the mobile app weekly, mostly to approve requests.",
  ],
  [
    "Competitive analysis of workflow tools",
    "research",
    "Feature comparison with three competitors on automation, pricing and integrations.",
  ],
  [
    "Accessibility audit of the web app",
    "research",
    "Audit found contrast and keyboard navigation issues on eleven screens; fixes prioritized.",
  ],
  [
    "Experiment: simplified signup form",
    "research",
    "Removing two fields from signup raised completion by nine percent with no quality drop.",
  ],
  [
    "Search relevance evaluation with BM25",
    "research",
    "BM25 ranking beat the old keyword match on eighty labelled queries; synonyms still miss.",
  ],
  [
    "Pilot of AI-assisted ticket summaries",
    "research",
    "Agents rated generated ticket summaries useful in 78 percent of cases during the pilot.",
  ],
  [
    "Security review of the file upload service",
    "engineering",
    "Uploads are scanned, size-limited and stored outside the web root; two findings fixed.",
  ],
];

const STATUSES = ["published", "published", "draft", "published", "archived"] as const;

/**
 * A deterministic bag-of-words vector (feature hashing of lower-cased words, L2-normalized), so
 * documents that share words are similar. For samples and tests, not a real embedding model.
 */
export function hashEmbedding(text: string, dimensions = SAMPLE_EMBEDDING_DIMENSIONS): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().split(/[^\p{L}\p{N}]+/u)) {
    if (word.length < 3) continue;
    let hash = 2166136261;
    for (const ch of word) hash = Math.imul(hash ^ (ch.codePointAt(0) ?? 0), 16777619);
    const slot = (hash >>> 0) % dimensions;
    vector[slot] = (vector[slot] ?? 0) + 1;
  }
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => Math.round((value / norm) * 1e6) / 1e6);
}

/**
 * Creates (or replaces) a `documents` table with 40 sample records in the DuckDB file at `dbPath`:
 * id, title, summary, full_text, status, category, score, created_at, tags (JSON text) and a
 * 64-dimensional `embedding` (see {@link hashEmbedding}). The file is created when missing.
 *
 * @example await createSampleDatabase("/tmp/workspace/data.duckdb");
 */
export async function createSampleDatabase(dbPath: string): Promise<void> {
  await using db = await openDuckDB(dbPath, { readOnly: false });
  await db.exec(
    "CREATE OR REPLACE TABLE documents (id INTEGER PRIMARY KEY, title VARCHAR NOT NULL, summary VARCHAR," +
      " full_text VARCHAR, status VARCHAR, category VARCHAR, score DOUBLE, created_at TIMESTAMP," +
      " tags JSON, embedding FLOAT[])",
  );
  const insert =
    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMP), ?, CAST(? AS FLOAT[]))";
  await db.exec("BEGIN TRANSACTION");
  for (const [index, [title, category, summary]] of DOCUMENTS.entries()) {
    const id = index + 1;
    const fullText =
      `${title}.\n\n${summary}\n\nThis ${category} document was written for internal use. ` +
      `It records the decision, the people involved and the follow-up actions, and it is reviewed ` +
      `when the topic comes up again.`;
    const day = new Date(Date.UTC(2024, 0, 8) + index * 4 * 86_400_000 + (index % 9) * 3_600_000);
    const words = title
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter((w) => w.length > 5);
    const types = [...new Array(9).fill(undefined), LIST(DOUBLE)];
    await db.query(
      insert,
      [
        id,
        title,
        summary,
        fullText,
        STATUSES[index % STATUSES.length] ?? "draft",
        category,
        Math.round(((index * 37) % 50) + 50) / 10,
        day.toISOString().replace("T", " ").slice(0, 19),
        JSON.stringify([category, ...words.slice(0, 2)]),
        listValue(hashEmbedding(`${title} ${summary}`)),
      ],
      types,
    );
  }
  await db.exec("COMMIT");
}
