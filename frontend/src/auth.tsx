// Who is signed in: the token from /auth/login, kept in localStorage; a 401 signs out.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { Navigate, useLocation } from "react-router-dom";
import { api, getToken, ok, setToken, setUnauthorizedHandler } from "./api/client";

interface AuthState {
  token: string | null;
  email: string | null;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const AuthContext = createContext<AuthState | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [token, setTokenState] = useState<string | null>(getToken);
  const queryClient = useQueryClient();
  const forget = useCallback(() => {
    setToken(null);
    setTokenState(null);
    queryClient.clear();
  }, [queryClient]);
  useEffect(() => setUnauthorizedHandler(forget), [forget]);
  const me = useQuery({
    queryKey: ["me", token],
    queryFn: async () => ok(await api.GET("/api/v1/auth/me")),
    enabled: token !== null,
  });
  const signIn = useCallback(async (email: string, password: string) => {
    const session = ok(await api.POST("/api/v1/auth/login", { body: { email, password } }));
    setToken(session.token);
    setTokenState(session.token);
  }, []);
  const signUp = useCallback(
    async (email: string, password: string) => {
      ok(await api.POST("/api/v1/auth/register", { body: { email, password } }));
      await signIn(email, password);
    },
    [signIn],
  );
  const signOut = useCallback(async () => {
    await api.POST("/api/v1/auth/logout").catch(() => undefined);
    forget();
  }, [forget]);
  const value = useMemo(
    () => ({ token, email: me.data?.email ?? null, signIn, signUp, signOut }),
    [token, me.data, signIn, signUp, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}

/** Its children for a signed-in user; the sign-in page (then back here) otherwise. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { token } = useAuth();
  const location = useLocation();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname + location.search }} />;
  return <>{children}</>;
}
