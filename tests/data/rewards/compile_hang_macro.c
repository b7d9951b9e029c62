// expect: compile_error
// message: compiling the reward took longer than
// Each macro calls the previous one twice, nested: libtcc's expansion time grows
// exponentially and the compile never ends. The compile deadline stops it.
#define P0(x) (x)
#define P1(x) P0(P0(x))
#define P2(x) P1(P1(x))
#define P3(x) P2(P2(x))
#define P4(x) P3(P3(x))
#define P5(x) P4(P4(x))
#define P6(x) P5(P5(x))
#define P7(x) P6(P6(x))
#define P8(x) P7(P7(x))
#define P9(x) P8(P8(x))
#define P10(x) P9(P9(x))
#define P11(x) P10(P10(x))
#define P12(x) P11(P11(x))
#define P13(x) P12(P12(x))
#define P14(x) P13(P13(x))
#define P15(x) P14(P14(x))
double compute_reward(const env_state *s, reward_terms *t) { return term(t, "x", P15(s->cart_pos)); }
