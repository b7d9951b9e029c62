// expect: bad_reward
// message: wrote to its read-only state
double compute_reward(const env_state *s, reward_terms *t) {
    env_state *w = (env_state *)s;
    w->cart_pos = 0.0;   /* "help" the policy */
    return term(t, "x", s->cart_pos);
}
