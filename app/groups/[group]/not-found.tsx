import { GroupNotFound } from "@/components/groups/group-not-found";

export default function NotFound() {
  return <GroupNotFound />;
}
