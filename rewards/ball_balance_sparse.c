// ball_balance, sparse reward: only the fitness event (ball within 5 cm of the centre).
double compute_reward(const env_state *s, reward_terms *t) {
    double dist = sqrt(square(s->ball_pos[0]) + square(s->ball_pos[1]));
    double r = 0.0;
    r += term(t, "centred", dist < TARGET_RADIUS ? 1.0 : 0.0);
    return r;
}
