// The front door: the workflows list, which sends anyone not signed in to sign in first.
import { redirect } from "next/navigation";
import { HOME } from "./lib/paths.ts";

export default function Home() {
  redirect(HOME);
}
