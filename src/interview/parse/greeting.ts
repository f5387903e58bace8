import { normalize } from './normalize';

/** Greetings in English and Spanish, as a whole message ("Hola!", "Good morning", "Buenos días"). */
const GREETINGS = new Set([
  'hi', 'hello', 'hey', 'hiya', 'hi there', 'hello there', 'hello all', 'hi all', 'greetings',
  'good morning', 'good afternoon', 'good evening', 'good day',
  'hola', 'buenas', 'buen dia', 'buenos dias', 'buenas tardes', 'buenas noches', 'saludos', 'que tal',
  'hola buenas', 'hola buen dia', 'hola buenos dias', 'hola buenas tardes', 'hola buenas noches', 'hola que tal', 'hola a todos',
]);

/**
 * Whether a whole message is only a greeting. A greeting is never an answer: "Hola" at the country question is
 * not the Netherlands ("Holanda"), and "Hello" is not the national portal.
 */
export function isGreeting(text: string): boolean {
  return text.length <= 60 && GREETINGS.has(normalize(text));
}
