// expect: nonfinite_reward
// message: reward component 'broken' is NaN at call 1
double compute_reward(const env_state *s, reward_terms *t) {
    double ok = term(t, "upright", cos(s->pole_angle));
    double zero = s->cart_pos - s->cart_pos;
    return ok + term(t, "broken", zero / zero);
}
