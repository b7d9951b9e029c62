// expect: compile_error
// message: reward.c:4: static local 'calls'
double compute_reward(const env_state *s, reward_terms *t) {
    static int calls = 0;
    calls++;
    return term(t, "x", calls > 100 ? s->cart_pos : 0.0);
}
