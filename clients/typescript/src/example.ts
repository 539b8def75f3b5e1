// A small typed client over fetch, checked by `tsc --noEmit` (make lint): if the API's
// shapes change, this stops compiling before a front-end team finds out at run time.
import type { components, paths } from "./schema";

type Case = components["schemas"]["CaseOut"];
type EventPage = components["schemas"]["EventPage"];
type CaseIntake = paths["/api/v1/cases"]["post"]["requestBody"]["content"]["application/json"];

export class AdrClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        "Content-Type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      const problem = (await response.json()) as components["schemas"]["Problem"];
      throw new Error(`${problem.status} ${problem.code}: ${problem.detail ?? problem.title}`);
    }
    return (await response.json()) as T;
  }

  /** Take a case in (SPEC 2.5). */
  createCase(intake: CaseIntake): Promise<Case> {
    return this.request<Case>("POST", "/api/v1/cases", intake);
  }

  /** Follow the event feed from a stored cursor; returns the next cursor to store. */
  async readEvents(after: string | null, handle: (event: EventPage["items"][number]) => void) {
    let cursor = after;
    for (;;) {
      const query = cursor ? `?after=${encodeURIComponent(cursor)}` : "";
      const page = await this.request<EventPage>("GET", `/api/v1/events${query}`);
      page.items.forEach(handle);
      cursor = page.next_cursor;
      if (!page.has_more) return cursor;
    }
  }
}

export const exampleIntake: CaseIntake = {
  channel: "petition",
  intake_agency_id: "01a22250-49b8-75d1-bfdb-5abdc2cc5733",
  respondent_agency_id: "01a22250-49b8-75d1-bfdb-5abdc2cc5733",
  applicants: [
    { kind: "natural_person", name: "王某某", id_type: "resident_id", id_number: "371502199001011237" },
  ],
  act: { type: "expropriation", made_on: "2026-09-01", known_on: "2026-09-03" },
  title: "对房屋征收补偿决定不服",
  facts: "申请人房屋位于征收范围内，认为补偿标准过低……",
  claims: "请求依法提高补偿标准",
};
