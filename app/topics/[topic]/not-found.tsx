import { TopicNotFound } from "@/components/topics/topic-not-found";

/** Rendered with HTTP 404 when the server finds no such topic while rendering its page. */
export default function NotFound() {
  return <TopicNotFound />;
}
