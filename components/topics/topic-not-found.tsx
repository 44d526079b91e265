import Link from "next/link";
import { paths } from "@/lib/paths";

/** A topic that is not there (never was, or was deleted): a permanent answer, so a way back rather than "try again". */
export function TopicNotFound({ name }: { name?: string }) {
  return (
    <div data-testid="topic-not-found" className="py-16 text-center">
      <h1 className="text-2xl font-semibold">
        {name ? (
          <>
            Topic <span className="break-all">{name}</span> does not exist
          </>
        ) : (
          "This topic does not exist"
        )}
      </h1>
      <p className="mt-2 text-sm text-slate-500">It may have been deleted, or the link may be mistyped.</p>
      <Link href={paths.topics()} className="mt-4 inline-block underline" data-testid="back-to-topics">
        Back to topics
      </Link>
    </div>
  );
}
