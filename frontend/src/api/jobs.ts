// Starting a job: the one POST every screen that starts training or a search goes through.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router-dom";
import { api, ok, type Schemas } from "./client";
import { keys } from "./queries";

export type JobBody = Schemas["TrainJobCreate"] | Schemas["SearchJobCreate"];

/** POST a job, then open its page. Callers send only what the user chose; the service
 * fills in the rest from the data. */
export function useStartJob(projectId: string, parse: (result: { error?: unknown; response: Response }) => Error = defaultError) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: JobBody) => {
      const result = await api.POST("/api/v1/projects/{project_id}/jobs", {
        params: { path: { project_id: projectId } },
        body,
      });
      if (result.error !== undefined || !result.response.ok) throw parse(result);
      return result.data;
    },
    onSuccess: (job) => {
      void queryClient.invalidateQueries({ queryKey: keys.jobs(projectId) });
      void navigate(`/jobs/${job.id}`);
    },
  });
}

function defaultError(result: { error?: unknown; response: Response }): Error {
  try {
    ok(result);
  } catch (error) {
    return error as Error;
  }
  return new Error(`the service answered ${result.response.status}`);
}

/** A resolved configuration's (a job preview's or a job's `params`) automatic choices: the
 * fields Konstruktor chose (`chosen`) and, for each, its reason in plain words (`reasons`). */
export function automaticChoices(params: { [key: string]: unknown }): { chosen: Set<string>; reasons: Map<string, string> } {
  const chosen = new Set(Array.isArray(params["chosen"]) ? params["chosen"].map(String) : []);
  const given = params["reasons"];
  const reasons = new Map<string, string>();
  if (given && typeof given === "object" && !Array.isArray(given)) {
    for (const [name, reason] of Object.entries(given)) if (typeof reason === "string" && reason) reasons.set(name, reason);
  }
  return { chosen, reasons };
}
