// PLACEHOLDER until the Job screen is written: replace this whole file.
export default function JobPage() {
  return <h1>Job</h1>;
}
