// The mocked service: each test adds the handlers its screen calls (msw `http.get(...)`),
// and an unhandled request fails the test.
import { setupServer } from "msw/node";

export const server = setupServer();
