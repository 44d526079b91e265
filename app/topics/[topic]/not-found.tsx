import { TopicNotFound } from "@/components/topics/topic-not-found";

export default function NotFound() {
  return <TopicNotFound />;
}
