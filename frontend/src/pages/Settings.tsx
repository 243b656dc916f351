// PLACEHOLDER until the Settings screen is written: replace this whole file.
export default function SettingsPage() {
  return <h1>Settings</h1>;
}
