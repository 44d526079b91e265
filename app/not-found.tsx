import { NotFoundState } from "@/components/ui/not-found-state";
import { paths } from "@/lib/paths";

export default function NotFound() {
  return <NotFoundState title="Page not found" back={{ href: paths.overview(), label: "Back to the overview" }} />;
}
